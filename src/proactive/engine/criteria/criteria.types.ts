import type { TriggerKind, UserPropertyValue } from '../proactive.types';
import type { TriggerDefinition } from '../triggers/trigger.types';

/** A rule's criteria after validation: regexes and globs compiled, trigger params resolved with defaults. */
export type CriteriaNode =
  | { kind: 'all'; children: CriteriaNode[] }
  | { kind: 'any'; children: CriteriaNode[] }
  | { kind: 'not'; child: CriteriaNode }
  | { kind: 'trigger'; trigger: TriggerKind; definition: TriggerDefinition<unknown>; params: unknown }
  | { kind: 'url_matches'; globs: RegExp[] }
  | { kind: 'title_matches'; regex: RegExp }
  | { kind: 'user_property'; name: string; equals: UserPropertyValue };

export const GROUP_KEYS = ['all', 'any', 'not'] as const;
export const CONDITION_KEYS = ['url_matches', 'title_matches', 'user_property'] as const;
