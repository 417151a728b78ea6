/** Every knob of the engine, with the defaults it runs with when nothing is configured. */
export interface ProactiveConfig {
  /** `shadow` evaluates and records every decision but never sends. */
  mode: 'live' | 'shadow';
  /** At most one nudge per session per this many seconds (0 = off). */
  minIntervalSeconds: number;
  /** At most this many nudges per user in any 24 h (0 = off; sessions without a user id are not counted). */
  maxPerUserPerDay: number;
  /** At most this many nudges per product in any 60 s (0 = off). */
  maxPerProductPerMinute: number;
  /** A sent nudge not answered within this time counts as ignored. */
  interactionTimeoutSeconds: number;
  /** After the user's last chat message, nudges wait this long. */
  reactiveTimeoutSeconds: number;
  /** Quiet time after a nudge (or a chat) ends, before the next nudge. */
  cooldownSeconds: number;
  /** Each ignored or declined nudge multiplies the next cooldown by this. */
  cooldownGrowth: number;
  maxCooldownSeconds: number;
  /** After this many ignored or declined nudges, the session gets no more. */
  maxDismissalsPerSession: number;
  /** Hard ceiling per session whatever the answers (anonymous sessions have no daily user cap). */
  maxNudgesPerSession: number;
  /** How often the integration should call the pulse (time-based triggers fire while the user is idle). */
  pulseSeconds: number;
  /** Sessions idle longer than this are skipped by the pulse: the user has most likely left. */
  idleHorizonSeconds: number;
  /** How long a session's proactive state is kept after its last change. */
  stateTtlSeconds: number;
  /** Actions kept as evidence in a decision. */
  maxEvidence: number;
  decisionLogMaxEntries: number;
  decisionLogMaxAgeSeconds: number;
  /** A suppression identical to the last logged one (same rule, scope and reason) is logged again only after this long. */
  suppressionRelogSeconds: number;
}

export const DEFAULT_PROACTIVE_CONFIG: Readonly<ProactiveConfig> = Object.freeze({
  mode: 'live',
  minIntervalSeconds: 300,
  maxPerUserPerDay: 3,
  maxPerProductPerMinute: 60,
  interactionTimeoutSeconds: 60,
  reactiveTimeoutSeconds: 120,
  cooldownSeconds: 60,
  cooldownGrowth: 2,
  maxCooldownSeconds: 3_600,
  maxDismissalsPerSession: 3,
  maxNudgesPerSession: 5,
  pulseSeconds: 5,
  idleHorizonSeconds: 900,
  stateTtlSeconds: 86_400,
  maxEvidence: 10,
  decisionLogMaxEntries: 100,
  decisionLogMaxAgeSeconds: 7 * 86_400,
  suppressionRelogSeconds: 300,
});

/** Defaults, then the rules file's `settings`, then what the integration passes (e.g. from env). */
export function resolveConfig(...layers: (Partial<ProactiveConfig> | undefined)[]): ProactiveConfig {
  const out: ProactiveConfig = { ...DEFAULT_PROACTIVE_CONFIG };
  for (const layer of layers) {
    if (!layer) continue;
    for (const [k, v] of Object.entries(layer)) if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  }
  return out;
}
