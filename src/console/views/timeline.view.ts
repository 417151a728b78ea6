import type { Timeline } from '../console-data.service';
import type { ConsoleDecision } from '../console-decisions.port';
import { CONSOLE_PATH } from '../console.constants';
import { clock, html, isoTime, segment, type SafeHtml } from './html';
import { timelineChart } from './timeline-chart.view';

export function timelineBody(t: Timeline): SafeHtml {
  return html`<section class="toolbar">
  <h1>Timeline of <span class="uid">${t.userId}</span>${t.email ? html` <span class="muted">${t.email}</span>` : null}</h1>
  <a href="${CONSOLE_PATH}">← live sessions</a>
  <span id="live" class="live" data-state="connecting">connecting…</span>
</section>
<div id="timeline" data-stream="${CONSOLE_PATH}/users/${segment(t.userId)}/stream">${timelineContent(t)}</div>`;
}

/** Everything below the title: what the stream re-sends when any of it changes. */
export function timelineContent(t: Timeline): SafeHtml {
  return html`<section class="picture">${timelineChart(t)}</section>
<div class="columns">
  <section class="nudges"><h2>Nudges</h2>${nudges(t.decisions)}</section>
  <section class="chats"><h2>Chat</h2>${chats(t)}</section>
</div>
<div class="columns">
  <section class="summaries"><h2>Rolling summaries</h2>${summaries(t)}</section>
  <section class="sessions-of-user"><h2>Sessions</h2>${sessionList(t)}</section>
</div>
<section class="context"><h2>Context the copilot would use now</h2>
  ${t.context ? html`<pre id="copilot-context">${t.context}</pre>` : html`<p class="muted" id="copilot-context">No activity in the lookback window: a reply now would carry no activity block.</p>`}
</section>`;
}

function nudges(decisions: ConsoleDecision[] | null): SafeHtml {
  if (decisions === null) return html`<p class="badge off">proactive engine off</p>`;
  if (decisions.length === 0) return html`<p class="muted">No decision for this user yet.</p>`;
  return html`${decisions.map(
    (d) => html`<article class="decision outcome-${d.outcome}">
  <header><time datetime="${isoTime(d.at)}">${clock(d.at)}</time> · rule <code>${d.ruleId}</code> · <strong class="outcome outcome-${d.outcome}">${d.outcome}</strong>${d.channel ? html` via ${d.channel}` : null}</header>
  ${d.reason ? html`<p class="reason">Why: ${d.reason}</p>` : null}
  <blockquote>${d.message}</blockquote>
  ${d.evidence.length > 0
    ? html`<details open><summary>Evidence (${d.evidence.length})</summary><ol class="evidence">${d.evidence.map(
        (e) => html`<li><time datetime="${isoTime(e.at)}">${clock(e.at)}</time> ${e.label}${e.canonicalUrl ? html` <span class="muted">${e.canonicalUrl}</span>` : null}</li>`,
      )}</ol></details>`
    : null}
</article>`,
  )}`;
}

function chats(t: Timeline): SafeHtml {
  if (t.conversations.length === 0) return html`<p class="muted">No conversation with this user on any channel.</p>`;
  return html`${t.conversations.map(
    (c) => html`<article class="conversation">
  <header><strong>${c.channel}</strong> <code>${c.conversationId}</code></header>
  <ol class="turns">${c.turns.map((turn) => html`<li class="turn-${turn.role}"><time datetime="${isoTime(turn.at)}">${clock(turn.at)}</time> <span class="role">${turn.role === 'user' ? 'user' : 'copilot'}</span> ${turn.text}</li>`)}</ol>
</article>`,
  )}`;
}

function summaries(t: Timeline): SafeHtml {
  if (t.summaries.length === 0) return html`<p class="muted">No summary yet (one is made every SUMMARY_THRESHOLD actions).</p>`;
  return html`<ol class="summary-list">${t.summaries.map(
    (s) => html`<li><time datetime="${isoTime(s.at)}">${clock(s.at)}</time> <span class="muted">${s.productId}/${s.sessionId}, by the ${s.by}</span><p>${s.text}</p></li>`,
  )}</ol>`;
}

function sessionList(t: Timeline): SafeHtml {
  if (t.sessions.length === 0) return html`<p class="muted">No session in the lookback window.</p>`;
  return html`<ul>${t.sessions.map(
    (s) => html`<li><code>${s.productId}/${s.sessionId}</code> · ${s.actions.length} actions · last active <time data-at="${s.lastActivityAt}" datetime="${isoTime(s.lastActivityAt)}">${clock(s.lastActivityAt)}</time></li>`,
  )}</ul>`;
}
