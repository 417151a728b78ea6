import type { ProactiveState, SessionRow } from '../console-data.service';
import { CONSOLE_PATH } from '../console.constants';
import { clock, html, isoTime, segment, type SafeHtml } from './html';

export function sessionsBody(rows: SessionRow[], query: string, proactiveOn: boolean): SafeHtml {
  const stream = `${CONSOLE_PATH}/sessions/stream`;
  return html`<section class="toolbar">
  <h1>Live sessions</h1>
  <input id="q" type="search" placeholder="Filter by user id or email" value="${query}" maxlength="200" autocomplete="off">
  <span id="live" class="live" data-state="connecting">connecting…</span>
  ${proactiveOn ? null : html`<span class="badge off" id="proactive-off">proactive engine off</span>`}
</section>
<table class="sessions">
  <thead><tr><th>User</th><th>Email</th><th>Product</th><th>Current page</th><th>Last active</th><th>Actions in window</th><th>Proactive</th></tr></thead>
  <tbody id="session-rows" data-stream="${stream}">${sessionRows(rows, proactiveOn)}</tbody>
</table>`;
}

/** The table body: what the stream sends on every change. */
export function sessionRows(rows: SessionRow[], proactiveOn: boolean): SafeHtml {
  if (rows.length === 0) return html`<tr class="empty"><td colspan="7">No live sessions in the lookback window.</td></tr>`;
  return html`${rows.map((r) => sessionRow(r, proactiveOn))}`;
}

function sessionRow(r: SessionRow, proactiveOn: boolean): SafeHtml {
  const s = r.session;
  const user = s.userId ? html`<a href="${CONSOLE_PATH}/users/${segment(s.userId)}">${s.userId}</a>` : html`<span class="muted">anonymous</span>`;
  return html`<tr data-user="${s.userId ?? ''}" data-session="${s.sessionId}">
  <td class="user">${user}</td>
  <td>${s.email ?? ''}</td>
  <td>${s.productId}</td>
  <td class="page" title="${r.currentTitle ?? ''}">${r.currentPage ?? html`<span class="muted">—</span>`}</td>
  <td><time data-at="${s.lastActivityAt}" datetime="${isoTime(s.lastActivityAt)}">${clock(s.lastActivityAt)}</time></td>
  <td class="num">${s.actions.length}</td>
  <td>${proactiveCell(r.proactive, proactiveOn)}</td>
</tr>`;
}

function proactiveCell(state: ProactiveState, on: boolean): SafeHtml {
  if (!on || state === null) return html`<span class="muted">off</span>`;
  if (state === 'none') return html`<span class="muted">no decision yet</span>`;
  return html`<span class="outcome outcome-${state.outcome}" title="${state.reason ?? ''}">${state.outcome}</span> <code>${state.ruleId}</code>`;
}
