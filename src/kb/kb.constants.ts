/** ResolvedKbOptions of the running module. */
export const KB_OPTIONS = Symbol('KB_OPTIONS');
/** KbStore for chunk vectors, or null when embeddings are off. */
export const KB_STORE = Symbol('KB_STORE');
/** ResilientEmbedder, or null when embeddings are off. */
export const KB_EMBEDDER = Symbol('KB_EMBEDDER');
/**
 * Optional KbPageContextProvider: where a user is right now, for `GET /v1/kb/search?userId=`.
 * Bind it through KbModule.register(options, { pageContext }) or from any global module.
 */
export const KB_PAGE_CONTEXT = Symbol('KB_PAGE_CONTEXT');
