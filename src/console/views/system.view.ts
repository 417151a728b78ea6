import type { SystemView } from '../console-data.service';
import type { MinuteCount } from '../reply-rates';
import type { ComponentStatus } from '../../observability/health.registry';
import { clock, html, isoTime, type SafeHtml } from './html';

/** Components shown in their own panels; the rest are listed under "Other components". */
const PANELS: Record<string, string> = {
  session_store: 'Session store',
  ingest: 'Ingestion',
  connector_stream: 'Connector stream',
  job_queue: 'Job queue',
  dead_letters: 'Dead letters',
  llm: 'LLM provider',
  redis: 'Redis',
};

export function systemBody(v: SystemView): SafeHtml {
  const other = Object.keys(v.components).filter((name) => !(name in PANELS));
  return html`<section class="toolbar"><h1>System</h1><span class="muted">this replica · store <code>${v.drivers.store}</code> · queue <code>${v.drivers.queue}</code> · role <code>${v.drivers.role}</code></span></section>
<section class="chart"><h2>Replies and nudges per minute (last 30 minutes, every replica)</h2>${rateChart(v.replies, v.nudges)}</section>
<section><h2>Sources</h2>${sources(v)}</section>
<div class="grid">
  ${Object.entries(PANELS).map(([name, title]) => (v.components[name] ? panel(title, v.components[name]) : name === 'redis' ? html`<article class="panel"><h3>Redis</h3><p class="muted">not used (STORE=memory, QUEUE=memory)</p></article>` : null))}
  ${other.map((name) => panel(name, v.components[name]))}
</div>
<section><h2>Recent errors</h2>${errors(v)}</section>`;
}

function panel(title: string, c: ComponentStatus): SafeHtml {
  const { status, ...details } = c;
  return html`<article class="panel panel-${status}" data-component="${title}">
  <h3>${title} <span class="status status-${status}">${status}</span></h3>
  <dl>${Object.entries(details).map(([k, val]) => html`<dt>${k}</dt><dd>${format(val)}</dd>`)}</dl>
</article>`;
}

function format(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function sources(v: SystemView): SafeHtml {
  const names = Object.keys(v.sources);
  const stream = v.components.connector_stream;
  return html`<table class="sources">
  <thead><tr><th>Source</th><th>Accepted</th><th>Rejected</th><th>Last event</th><th>Last rejection</th></tr></thead>
  <tbody>${names.length === 0 ? html`<tr class="empty"><td colspan="5">No event received by this replica yet.</td></tr>` : names.map((name) => {
    const s = v.sources[name];
    return html`<tr data-source="${name}"><td>${name}</td><td class="num">${s.ingested}</td><td class="num">${s.rejected}</td><td>${s.lastEventAt ? html`<time data-at="${s.lastEventAt}" datetime="${isoTime(s.lastEventAt)}">${clock(s.lastEventAt)}</time>` : '—'}</td><td>${s.lastRejectedAt ? html`<time data-at="${s.lastRejectedAt}" datetime="${isoTime(s.lastRejectedAt)}">${clock(s.lastRejectedAt)}</time>` : '—'}</td></tr>`;
  })}</tbody>
</table>
<p class="muted">Connector stream: ${stream ? html`<span class="status status-${stream.status}">${stream.status}</span> ${format(stream.state ?? '')}` : 'not configured (STREAM_URL unset)'}</p>`;
}

function errors(v: SystemView): SafeHtml {
  if (v.errors.length === 0) return html`<p class="muted">No error logged by this replica since it started.</p>`;
  return html`<ol class="errors">${v.errors.map((e) => html`<li><time datetime="${isoTime(e.at)}">${clock(e.at)}</time> <span class="status status-down">${e.level}</span> ${e.context ? html`<code>${e.context}</code> ` : null}${e.message}</li>`)}</ol>`;
}

/** Bars per minute: replies (and nudges beside them when the engine can list them). */
export function rateChart(replies: MinuteCount[], nudges: MinuteCount[] | null): SafeHtml {
  const W = 760;
  const H = 160;
  const left = 36;
  const bottom = 22;
  const plotH = H - bottom - 10;
  const max = Math.max(1, ...replies.map((m) => m.count), ...(nudges ?? []).map((m) => m.count));
  const slot = (W - left) / replies.length;
  const bar = nudges ? slot * 0.4 : slot * 0.7;
  const yOf = (n: number) => 10 + plotH - (n / max) * plotH;
  return html`<svg class="rates" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="Replies and nudges per minute">
  <line class="axis" x1="${left}" x2="${W}" y1="${10 + plotH}" y2="${10 + plotH}"></line>
  <text x="${left - 6}" y="14" text-anchor="end">${max}</text><text x="${left - 6}" y="${10 + plotH}" text-anchor="end">0</text>
  ${replies.map((m, i) => html`<rect class="bar replies" x="${(left + i * slot + 1).toFixed(1)}" y="${yOf(m.count).toFixed(1)}" width="${bar.toFixed(1)}" height="${(10 + plotH - yOf(m.count)).toFixed(1)}"><title>${clock(m.at)}: ${m.count} replies</title></rect>`)}
  ${(nudges ?? []).map((m, i) => html`<rect class="bar nudges" x="${(left + i * slot + 1 + bar).toFixed(1)}" y="${yOf(m.count).toFixed(1)}" width="${bar.toFixed(1)}" height="${(10 + plotH - yOf(m.count)).toFixed(1)}"><title>${clock(m.at)}: ${m.count} nudges sent</title></rect>`)}
  ${replies.map((m, i) => (i % 5 === 0 ? html`<text x="${(left + i * slot).toFixed(1)}" y="${H - 6}">${clock(m.at).slice(0, 5)}</text>` : null))}
</svg>
<p class="legend"><span class="key replies"></span> replies (all channels)${nudges ? html` <span class="key nudges"></span> nudges sent` : html` · <span class="badge off">proactive engine off</span>`}</p>`;
}
