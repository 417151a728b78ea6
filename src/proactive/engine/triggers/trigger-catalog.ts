import type { TriggerKind } from '../proactive.types';
import { errorPageTrigger } from './error-page.trigger';
import { pageDwellTrigger } from './page-dwell.trigger';
import { pingPongTrigger } from './ping-pong.trigger';
import { rageClickTrigger } from './rage-click.trigger';
import { repeatedActionTrigger } from './repeated-action.trigger';
import { sectionPlaybookTrigger } from './section-playbook.trigger';
import type { TriggerDefinition } from './trigger.types';

/** Every built-in trigger by the key a rule uses for it. */
export const TRIGGER_CATALOG: Record<TriggerKind, TriggerDefinition<unknown>> = {
  repeated_action: repeatedActionTrigger as TriggerDefinition<unknown>,
  ping_pong: pingPongTrigger as TriggerDefinition<unknown>,
  page_dwell: pageDwellTrigger as TriggerDefinition<unknown>,
  rage_click: rageClickTrigger as TriggerDefinition<unknown>,
  error_page: errorPageTrigger as TriggerDefinition<unknown>,
  section_playbook: sectionPlaybookTrigger as TriggerDefinition<unknown>,
};
