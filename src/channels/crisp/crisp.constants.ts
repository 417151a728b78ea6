/** Per HTTP call to the Crisp REST API. */
export const CRISP_REQUEST_TIMEOUT_MS = 10_000;
