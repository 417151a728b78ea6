import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { KB_PAGE_CONTEXT } from '../kb.constants';
import type { KbCurrentPage, KbPageContextProvider } from '../kb-page-context';

export interface PageHints {
  page?: string;
  pageTitle?: string;
  lastAction?: string;
  userId?: string;
}

/** The page to rank for: given explicitly, else the user's current page from the activity (KB_PAGE_CONTEXT), else none. */
@Injectable()
export class KbPageResolver {
  private readonly logger = new Logger(KbPageResolver.name);

  constructor(@Optional() @Inject(KB_PAGE_CONTEXT) private readonly pages?: KbPageContextProvider) {}

  async resolve(h: PageHints): Promise<{ page?: KbCurrentPage; source: 'query' | 'activity' | 'none' }> {
    if (h.page) return { page: { canonicalUrl: h.page, title: h.pageTitle, lastActionLabel: h.lastAction }, source: 'query' };
    if (h.userId && this.pages) {
      try {
        const current = await this.pages.currentPage(h.userId);
        if (current?.canonicalUrl) return { page: { ...current, lastActionLabel: h.lastAction ?? current.lastActionLabel }, source: 'activity' };
      } catch (err) {
        // Ranking without the page is still a useful answer; the activity lookup failing must not fail the search.
        this.logger.warn({ err: (err as Error).message }, 'page context lookup failed; searching without the page');
      }
    }
    return { page: undefined, source: 'none' };
  }
}
