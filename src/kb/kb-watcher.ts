import { Logger } from '@nestjs/common';
import { watch, type FSWatcher } from 'node:fs';

/**
 * Calls `onChange` once the folder has been quiet for `debounceMs` after a change
 * anywhere inside it (an editor's save often fires several events; a checkout
 * touches many files). Hidden files (editor swap files, .git) are ignored.
 */
export class KbWatcher {
  private readonly logger = new Logger(KbWatcher.name);
  private watcher?: FSWatcher;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly dir: string,
    private readonly debounceMs: number,
    private readonly onChange: () => void,
  ) {}

  start(): void {
    try {
      this.watcher = watch(this.dir, { recursive: true, persistent: false }, (_event, file) => {
        const name = typeof file === 'string' ? file : '';
        if (name.split(/[\\/]/).some((part) => part.startsWith('.')) || name.endsWith('~')) return;
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.onChange(), this.debounceMs);
      });
      this.watcher.on('error', (err) => this.logger.warn({ dir: this.dir, err: err.message }, 'knowledge-base folder watch failed; use POST /v1/kb/reindex'));
    } catch (err) {
      this.logger.warn({ dir: this.dir, err: (err as Error).message }, 'cannot watch the knowledge-base folder; use POST /v1/kb/reindex');
    }
  }

  stop(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
    this.watcher = undefined;
  }
}
