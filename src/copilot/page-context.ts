import { Injectable } from '@nestjs/common';
import { sanitizeActivityText } from '../activity/activity-context.renderer';
import { ActivityReader } from '../activity/activity-reader.service';
import type { SessionContext, StoredAction } from '../activity/session-store/session-store.port';
import type { KbCurrentPage, KbPageContextProvider } from '../kb';

/** A canonical URL, or the path of a raw URL: page patterns in the knowledge base are paths. */
function pathOf(action: StoredAction): string | undefined {
  const canonical = sanitizeActivityText(action.canonicalUrl ?? '', 500);
  if (canonical.startsWith('/')) return canonical;
  const raw = action.rawUrl || action.canonicalUrl;
  if (!raw) return undefined;
  try {
    return sanitizeActivityText(new URL(raw, 'http://relative.invalid').pathname, 500);
  } catch {
    return undefined;
  }
}

/**
 * Where the user is now, as the prompt's activity block shows it: the last action of
 * the newest session that has actions ("← current position"). The page title is the
 * title of the latest page view of that page in the session; the last action's label
 * is its title (or description). Undefined when no action names a page.
 */
export function currentPageOf(sessions: readonly SessionContext[]): KbCurrentPage | undefined {
  const session = sessions.find((s) => s.actions.length > 0);
  const last = session?.actions[session.actions.length - 1];
  if (!session || !last) return undefined;
  const canonicalUrl = pathOf(last);
  if (!canonicalUrl) return undefined;
  const view = [...session.actions].reverse().find((a) => a.type === 'pageview' && pathOf(a) === canonicalUrl && a.title);
  const label = sanitizeActivityText(last.title || last.description || '', 300);
  return {
    canonicalUrl,
    ...(view ? { title: sanitizeActivityText(view.title, 300) } : {}),
    ...(label ? { lastActionLabel: label } : {}),
  };
}

/**
 * KB_PAGE_CONTEXT from the activity store: `GET /v1/kb/search?userId=` ranks for the
 * page the user is on now, exactly as a copilot reply would. Bound in AppModule
 * (kb/ never imports activity/; copilot/ may import both).
 */
@Injectable()
export class ActivityPageContext implements KbPageContextProvider {
  constructor(private readonly reader: ActivityReader) {}

  async currentPage(userId: string): Promise<KbCurrentPage | undefined> {
    const activity = await this.reader.getUserActivity(userId);
    return activity ? currentPageOf(activity.sessions) : undefined;
  }
}
