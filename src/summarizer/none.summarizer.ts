import { EMPTY } from 'rxjs';
import type { Summarizer } from './summarizer.port';

/** SUMMARIZER=none: raw actions are only trimmed by the store's lookback and cap. */
export class NoneSummarizer implements Summarizer {
  readonly name = 'none';
  readonly summaries$ = EMPTY;

  observe(): void {}

  async close(): Promise<void> {}
}
