import type { ProactiveAction, SessionView, TriggerMatch } from '../../src/proactive/engine/proactive.types';
import type { TriggerDefinition } from '../../src/proactive/engine/triggers/trigger.types';
import { factsOf } from '../../src/proactive/engine/view-facts';

/** 2027-01-15T08:00:00Z: an arbitrary fixed start for virtual clocks. */
export const T0 = 1_800_000_000_000;

/**
 * Writes a session's activity on a virtual clock, for proactive specs:
 *   const s = new SessionScript().page('/projects').wait(4).click('Edit', '/projects/:id');
 *   trigger.evaluate(params, factsOf(s.view(), s.now));
 */
export class SessionScript {
  now: number;
  readonly actions: ProactiveAction[] = [];

  constructor(start = T0) {
    this.now = start;
  }

  wait(seconds: number): this {
    this.now += seconds * 1000;
    return this;
  }

  act(type: string, title: string, url: string): this {
    this.actions.push({ type, title, canonicalUrl: url, at: this.now });
    return this;
  }

  page(url: string, name?: string): this {
    return this.act('pageview', `Page Load: ${name ?? url}`, url);
  }

  click(label: string, url: string): this {
    return this.act('click', `Clicked '${label}'`, url);
  }

  submit(label: string, url: string): this {
    return this.act('submit', `Submitted '${label}'`, url);
  }

  /** Repeats `step` n times with the index, for loops. */
  times(n: number, step: (s: this, i: number) => unknown): this {
    for (let i = 0; i < n; i++) step(this, i);
    return this;
  }

  view(over: Partial<SessionView> = {}): SessionView {
    return {
      productId: 'acme',
      sessionId: 's1',
      userId: 'u1',
      actions: [...this.actions],
      lastActivityAt: this.actions.length > 0 ? this.actions[this.actions.length - 1].at : this.now,
      ...over,
    };
  }
}


/** Compiles trigger params the way the rules loader does; throws with the problems found. */
export function compileTrigger<C>(def: TriggerDefinition<C>, raw: unknown = {}): C {
  const issues: string[] = [];
  const c = def.compile(raw, (path, message) => issues.push(`${path}: ${message}`));
  if (!c) throw new Error(`invalid params: ${issues.join('; ')}`);
  return c;
}

/** The problems `compile` reports for these params (`path: message`). */
export function triggerIssues(def: TriggerDefinition<unknown>, raw: unknown): string[] {
  const issues: string[] = [];
  def.compile(raw, (path, message) => issues.push(`${path}: ${message}`));
  return issues;
}

export function runTrigger<C>(def: TriggerDefinition<C>, params: C, s: SessionScript, now = s.now): TriggerMatch | null {
  return def.evaluate(params, factsOf(s.view(), now));
}
