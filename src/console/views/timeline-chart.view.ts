import type { Timeline } from '../console-data.service';
import { clock, html, isoTime, type SafeHtml } from './html';

const LABEL_W = 230;
const PLOT_W = 720;
const LANE_H = 26;
const TOP = 8;
const AXIS_H = 28;
const MAX_PAGE_LANES = 12;
const OTHER = '(other pages)';
const NO_PAGE = '(no page)';
const MIN_SPAN_MS = 10_000;

interface Point {
  at: number;
  lane: number;
  label: string;
}

/**
 * The picture of a user's recent activity: a time axis, one lane per page (in the order
 * first visited), the actions as dots joined in time order, the newest marked as the
 * current position; summaries as dashed lines when they were made, chat turns and nudges
 * on lanes of their own. Inline SVG, no script: every label is escaped text.
 */
export function timelineChart(t: Timeline): SafeHtml {
  const actions = t.sessions.flatMap((s) => s.actions.map((a) => ({ ...a, sessionId: s.sessionId }))).sort((a, b) => a.occurredAt - b.occurredAt || a.seq - b.seq);
  const summaries = t.summaries;
  const turns = t.conversations.flatMap((c) => c.turns.map((turn) => ({ ...turn, channel: c.channel })));
  const decisions = t.decisions ?? [];

  const pages: string[] = [];
  for (const a of actions) {
    const page = a.canonicalUrl || NO_PAGE;
    if (!pages.includes(page)) pages.push(page);
  }
  const shown = pages.length > MAX_PAGE_LANES ? [...pages.slice(0, MAX_PAGE_LANES - 1), OTHER] : pages;
  const lanes = ['Nudges', 'Chat', ...shown];
  const laneOf = (page: string) => {
    const i = shown.indexOf(page || NO_PAGE);
    return 2 + (i >= 0 ? i : shown.length - 1);
  };

  const times = [...actions.map((a) => a.occurredAt), ...summaries.map((s) => s.at), ...turns.map((x) => x.at), ...decisions.map((d) => d.at)];
  if (times.length === 0) return html`<p class="muted">No activity, chat or decision in the window.</p>`;
  // The window the events span, at least MIN_SPAN_MS, with a little room on both sides.
  const last = Math.max(...times);
  const first = Math.min(Math.min(...times), last - MIN_SPAN_MS);
  const pad = (last - first) * 0.04;
  const start = first - pad;
  const end = last + pad;
  const x = (at: number) => LABEL_W + 10 + ((at - start) / (end - start)) * (PLOT_W - 20);
  const y = (lane: number) => TOP + lane * LANE_H + LANE_H / 2;
  const height = TOP + lanes.length * LANE_H + AXIS_H;
  const width = LABEL_W + PLOT_W;

  const points: Point[] = actions.map((a) => ({ at: a.occurredAt, lane: laneOf(a.canonicalUrl), label: `${clock(a.occurredAt)} ${a.type}: ${a.title} (${a.canonicalUrl || NO_PAGE})` }));
  const current = points[points.length - 1];
  const ticks = Array.from({ length: 5 }, (_, i) => start + ((end - start) * i) / 4);

  return html`<svg class="timeline" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Activity timeline: pages as lanes over time">
  ${lanes.map(
    (name, i) => html`<g class="lane${i < 2 ? ' lane-meta' : ''}">
    <rect x="0" y="${TOP + i * LANE_H}" width="${width}" height="${LANE_H}" class="${i % 2 ? 'odd' : 'even'}"></rect>
    <text x="6" y="${y(i) + 4}" class="lane-label"><title>${name}</title>${name.length > 34 ? name.slice(0, 33) + '…' : name}</text>
  </g>`,
  )}
  ${ticks.map((at, i) => html`<g class="tick"><line x1="${x(at)}" x2="${x(at)}" y1="${TOP}" y2="${height - AXIS_H}"></line><text x="${x(at)}" y="${height - 8}" text-anchor="${i === 0 ? 'start' : i === ticks.length - 1 ? 'end' : 'middle'}">${clock(at)}</text></g>`)}
  ${summaries.map(
    (s) => html`<g class="summary"><line x1="${x(s.at)}" x2="${x(s.at)}" y1="${TOP + 2 * LANE_H}" y2="${height - AXIS_H}"></line><text x="${x(s.at) + 3}" y="${TOP + 2 * LANE_H + 11}">summary</text><title>${clock(s.at)} summary (${s.sessionId}): ${s.text}</title></g>`,
  )}
  ${points.length > 1 ? html`<polyline class="path" points="${points.map((p) => `${x(p.at).toFixed(1)},${y(p.lane)}`).join(' ')}"></polyline>` : null}
  ${points.map((p) => html`<circle class="act" cx="${x(p.at).toFixed(1)}" cy="${y(p.lane)}" r="5"><title>${p.label}</title></circle>`)}
  ${current ? html`<g class="now"><circle cx="${x(current.at).toFixed(1)}" cy="${y(current.lane)}" r="9"></circle><text x="${x(current.at) - 8}" y="${y(current.lane) - 12}" text-anchor="end">now here</text><title>Current position: ${current.label}</title></g>` : null}
  ${turns.map((turn) => html`<circle class="turn turn-${turn.role}" cx="${x(turn.at).toFixed(1)}" cy="${y(1)}" r="5"><title>${clock(turn.at)} ${turn.channel} ${turn.role}: ${turn.text.slice(0, 200)}</title></circle>`)}
  ${decisions.map((d) => {
    const cx = x(d.at);
    const cy = y(0);
    return html`<polygon class="nudge outcome-${d.outcome}" points="${cx},${cy - 7} ${cx + 7},${cy} ${cx},${cy + 7} ${cx - 7},${cy}"><title>${clock(d.at)} ${d.ruleId}: ${d.outcome}${d.reason ? ` (${d.reason})` : ''}</title></polygon>`;
  })}
</svg>
<p class="legend"><span class="key act"></span> action <span class="key now"></span> current position <span class="key summary"></span> summary <span class="key turn-user"></span> user message <span class="key turn-assistant"></span> copilot reply <span class="key nudge"></span> nudge decision · from <time datetime="${isoTime(start)}">${clock(start)}</time> to <time datetime="${isoTime(end)}">${clock(end)}</time> UTC</p>`;
}
