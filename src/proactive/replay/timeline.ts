import type { ProactiveDecision } from '../engine/proactive.types';
import type { ReplayResult, TimelineEntry } from './replay';

/** "+07:18.5": minutes and seconds since the recording's first event. */
export function formatOffset(ms: number): string {
  const tenths = Math.round(ms / 100);
  const minutes = Math.floor(tenths / 600);
  const seconds = (tenths % 600) / 10;
  return `+${String(minutes).padStart(2, '0')}:${seconds.toFixed(1).padStart(4, '0')}`;
}

function outcomeOf(d: ProactiveDecision): string {
  return d.reason ? `${d.outcome}/${d.reason}` : d.outcome;
}

const SUPPRESSED_MESSAGE_CHARS = 60;

/** Sent nudges in full, with their quick replies; anything else just enough to recognise it. */
function describe(d: ProactiveDecision): string {
  const where = `${d.trigger} on ${d.page}`;
  if (d.outcome !== 'sent') {
    const m = d.message.length > SUPPRESSED_MESSAGE_CHARS ? `${d.message.slice(0, SUPPRESSED_MESSAGE_CHARS - 1)}…` : d.message;
    return `${where}: "${m}"`;
  }
  const replies = d.quickReplies.length > 0 ? ` [${d.quickReplies.map((q) => q.label).join(' | ')}]` : '';
  const notes = [d.mode === 'llm' ? 'llm rule: template sent, no model in a replay' : '', d.judge ? 'judge: taken as yes' : ''].filter(Boolean);
  return `${where}: "${d.message}"${replies}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
}

function line(e: TimelineEntry, startAt: number): string {
  const when = formatOffset(e.at - startAt);
  if (e.kind === 'reply') return `${when}  ${e.sessionId}  (user wrote "${e.text}": ${e.classification})`;
  const d = e.decision;
  return `${when}  ${d.sessionId}  ${d.ruleId.padEnd(16)}  ${outcomeOf(d).padEnd(24)}  ${describe(d)}`;
}

/** The replay as text: one line per decision or chat reply, then a count by outcome. Depends on nothing but the result. */
export function formatTimeline(result: ReplayResult, header: { recording: string; rules: string }): string {
  const decisions = result.entries.flatMap((e) => (e.kind === 'decision' ? [e.decision] : []));
  const count = (o: string) => decisions.filter((d) => d.outcome === o).length;
  const lines = [
    `replay ${header.recording} (rules: ${header.rules}; ${result.events} events, ${result.sessions} session${result.sessions === 1 ? '' : 's'}; ` +
      `${formatOffset(result.endAt - result.startAt).slice(1)} of virtual time incl. a ${result.tailSeconds} s tail; ` +
      `pulse every ${result.config.pulseSeconds} s; mode ${result.config.mode})`,
    ...result.entries.map((e) => line(e, result.startAt)),
    `${count('sent')} sent, ${count('suppressed')} suppressed, ${count('failed')} failed`,
  ];
  return `${lines.join('\n')}\n`;
}
