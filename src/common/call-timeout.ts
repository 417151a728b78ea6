import { TimeoutStrategy } from 'cockatiel';

/**
 * cockatiel's timeout for a call to a provider (LLM, embeddings): Aggressive (a hung
 * socket never outlives the deadline: the signal is aborted when it passes) and not
 * aborted on return. Aborting a signal whose call has settled reaches nothing, yet
 * builds a DOMException with its stack on every call: one per reply, on the hot path.
 */
export const PROVIDER_CALL_TIMEOUT = { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false } as const;
