// Public surface of the knowledge-base module, for the copilot and the app wiring.
export { KbModule, type KbModuleExtras } from './kb.module';
export { KbService, KbDisabledError } from './kb.service';
export { KB_DEFAULTS, KbOptionsError, resolveKbOptions, type KbOptions, type KbEmbeddingsOptions } from './kb.options';
export { KB_PAGE_CONTEXT, KB_STORE } from './kb.constants';
export type { KbCurrentPage, KbPageContextBinding, KbPageContextProvider } from './kb-page-context';
export type { KbHit, KbQuery, KbReindexResult, KbSearchOptions, KbStatus } from './kb.types';
export {
  documentationBlock,
  renderDocumentationBlock,
  DOCUMENTATION_OPEN,
  DOCUMENTATION_CLOSE,
  DOCUMENTATION_GUIDANCE,
  type DocumentationBlockOptions,
  type RenderedDocumentation,
} from './answer/documentation-block';
export { hitMatchesMessage, offlineAnswerFrom } from './answer/offline-answer';
export type { KbStore } from './store/kb-store.port';
