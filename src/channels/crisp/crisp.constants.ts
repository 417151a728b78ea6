/** Per HTTP call to the Crisp REST API. */
export const CRISP_REQUEST_TIMEOUT_MS = 10_000;

/** Id prefix of the pickers our nudges send: a `message:updated` on one of them is the visitor choosing a quick reply. */
export const NUDGE_PICKER_PREFIX = 'nudge-';
