/** SUMMARIZER: the rolling-summary consumer of activity$ (llm or none, by SUMMARIZER). */
export const SUMMARIZER = Symbol('SUMMARIZER');
