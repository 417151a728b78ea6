import { Inject, Injectable, Logger, ServiceUnavailableException, type OnModuleDestroy } from '@nestjs/common';
import type { Request, Response } from 'express';
import { errorMessage } from '../common/text';
import { consoleConfig, type ConfigOf } from '../config/config.namespaces';
import { ShutdownState } from '../observability/shutdown.state';

/** Open console streams per process: a few operators, each with a tab or two. */
const MAX_STREAMS = 50;
/** A comment line this often keeps proxies from closing an idle stream. */
const HEARTBEAT_MS = 15_000;

/**
 * Server-sent events for the console's live views. Each stream re-renders its view every
 * CONSOLE_REFRESH_MS and sends it only when the HTML changed (views render absolute times,
 * so unchanged data renders byte-identical). Polling the read side, rather than listening
 * to this process's events, shows what every replica wrote. Streams end at shutdown so
 * the HTTP server can close.
 */
@Injectable()
export class ConsoleStreams implements OnModuleDestroy {
  private readonly logger = new Logger(ConsoleStreams.name);
  private readonly open = new Set<() => void>();

  constructor(
    @Inject(consoleConfig.KEY) private readonly cfg: ConfigOf<typeof consoleConfig>,
    shutdown: ShutdownState,
  ) {
    shutdown.onShutdown(() => this.closeAll());
  }

  serve(req: Request, res: Response, event: string, render: () => Promise<string>): void {
    if (this.open.size >= MAX_STREAMS) throw new ServiceUnavailableException('Too many console streams are open');
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write(`retry: 3000\n\n`);

    let last: string | undefined;
    let busy = false;
    const tick = async () => {
      if (busy) return;
      busy = true;
      try {
        const view = await render();
        if (view !== last) {
          last = view;
          // Every line break EventSource knows (CR too) starts a new data line, so text in a view can never end the event or add a field.
          res.write(`event: ${event}\n${view.split(/\r\n|\r|\n/).map((line) => `data: ${line}`).join('\n')}\n\n`);
        }
      } catch (err) {
        // The store may be briefly unavailable; the next tick tries again and the page keeps what it shows.
        this.logger.warn({ event, err: errorMessage(err) }, 'console stream could not render');
      } finally {
        busy = false;
      }
    };
    const refresh = setInterval(() => void tick(), this.cfg.refreshMs);
    const heartbeat = setInterval(() => res.write(`: keep-alive\n\n`), HEARTBEAT_MS);
    const close = () => {
      clearInterval(refresh);
      clearInterval(heartbeat);
      this.open.delete(close);
      res.end();
    };
    this.open.add(close);
    res.on('close', close);
    void tick();
  }

  onModuleDestroy(): void {
    this.closeAll();
  }

  private closeAll(): void {
    for (const close of [...this.open]) close();
  }
}
