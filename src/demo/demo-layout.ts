import { DEMO_PRODUCT_ID } from './demo-users';

/** Who is looking at the page: a visitor id and the user token the server minted for it. */
export interface DemoVisitor {
  userId: string;
  token: string;
}

const NAV: Array<[string, string]> = [
  ['/demo', 'Dashboard'],
  ['/demo/projects', 'Projects'],
  ['/demo/team', 'Team'],
  ['/demo/reports', 'Reports'],
  ['/demo/billing', 'Billing'],
  ['/demo/settings', 'Settings'],
];

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const CSS = `
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,sans-serif;color:#111827;background:#f9fafb;display:flex;min-height:100vh}
nav{width:210px;background:#111827;color:#e5e7eb;padding:18px 0;flex-shrink:0}nav .brand{font-weight:700;padding:0 20px 16px;color:#fff}
nav a{display:block;padding:8px 20px;color:#d1d5db;text-decoration:none}nav a.on,nav a:hover{background:#1f2937;color:#fff}
main{flex:1;padding:28px 36px;max-width:980px}h1{margin:0 0 18px;font-size:24px}
.card{background:#fff;border:1px solid #e5e7eb;border-radius:10px;padding:18px;margin-bottom:16px}
.grid{display:grid;grid-template-columns:repeat(3,1fr);gap:16px}.stat{font-size:26px;font-weight:700}
table{width:100%;border-collapse:collapse}td,th{padding:9px 8px;border-bottom:1px solid #f3f4f6;text-align:left}
.btn{display:inline-block;background:#4f46e5;color:#fff;border:0;border-radius:7px;padding:7px 14px;text-decoration:none;font:inherit;cursor:pointer}
.btn.secondary{background:#fff;color:#374151;border:1px solid #d1d5db}label{display:block;margin:10px 0 4px;font-weight:600}
input,select{font:inherit;padding:7px 9px;border:1px solid #d1d5db;border-radius:6px;width:320px}
details{display:inline-block;position:relative}details ul{position:absolute;list-style:none;margin:4px 0;padding:6px 0;background:#fff;border:1px solid #e5e7eb;border-radius:8px;min-width:160px}
details li a{display:block;padding:6px 14px;color:#374151;text-decoration:none}.muted{color:#6b7280}.ok{background:#ecfdf5;border-color:#a7f3d0}
.aside{font-size:13px;background:#eef2ff;border-color:#c7d2fe}.aside code{background:#fff;padding:1px 5px;border-radius:4px}`;

/**
 * A demo page: the product's chrome, the page body, and the browser snippet configured
 * for this visitor (same origin, so no CORS is involved).
 */
export function demoPage(path: string, title: string, body: string, visitor: DemoVisitor): string {
  const nav = NAV.map(([href, label]) => `<a href="${href}"${href === path || (href !== '/demo' && path.startsWith(href)) ? ' class="on"' : ''}>${label}</a>`).join('');
  const id = escapeHtml(visitor.userId);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${CSS}</style></head>
<body><nav><div class="brand">Acme Projects</div>${nav}</nav>
<main><h1>${escapeHtml(title)}</h1>${body}
<div class="card aside">You are <strong>${id}</strong>, a demo user. Your clicks are captured by the snippet at the bottom of this page;
ask the chat (bottom right) what to do, or see <a href="/v1/users/${encodeURIComponent(visitor.userId)}/context">what the copilot sees</a>.</div>
</main>
<script src="/sdk/widget.js" async data-product-id="${DEMO_PRODUCT_ID}" data-user-id="${id}" data-user-token="${escapeHtml(visitor.token)}"></script>
</body></html>`;
}
