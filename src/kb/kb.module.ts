import { Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { stat } from 'node:fs/promises';
import { HealthRegistry } from '../observability/health.registry';
import { MetricsService } from '../observability/metrics.service';
import { createEmbedder } from './embeddings/embedder.factory';
import type { ResilientEmbedder } from './embeddings/resilient.embedder';
import { KbController } from './http/kb.controller';
import { KbPageResolver } from './http/kb-page-resolver';
import { KB_EMBEDDER, KB_OPTIONS, KB_PAGE_CONTEXT, KB_STORE } from './kb.constants';
import { kbHealth } from './kb.health';
import { KbIndexer } from './kb-indexer';
import { KbMetrics } from './kb.metrics';
import { resolveKbOptions, type KbOptions, type ResolvedKbOptions } from './kb.options';
import type { KbPageContextBinding } from './kb-page-context';
import { KbService } from './kb.service';
import { KbWatcher } from './kb-watcher';
import { createKbStore } from './store/kb-store.factory';
import type { KbStore } from './store/kb-store.port';

export interface KbModuleExtras {
  /** Modules the page-context binding's dependencies come from. */
  imports?: NonNullable<DynamicModule['imports']>;
  /** Binds KB_PAGE_CONTEXT (where a user is now) for `GET /v1/kb/search?userId=`. */
  pageContext?: KbPageContextBinding;
}

/** Boot and shutdown of an enabled knowledge base: first index, folder watch, health probe, store close. */
@Injectable()
class KbLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(KbLifecycle.name);
  private watcher?: KbWatcher;

  constructor(
    @Inject(KB_OPTIONS) private readonly options: ResolvedKbOptions,
    @Inject(KB_STORE) private readonly store: KbStore | null,
    private readonly indexer: KbIndexer,
    private readonly kb: KbService,
    private readonly health: HealthRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const info = await stat(this.options.dir).catch(() => undefined);
    // A wrong KB_DIR is a configuration error: refuse to start rather than serve an empty knowledge base.
    if (!info?.isDirectory()) throw new Error(`KB_DIR=${this.options.dir} does not exist or is not a folder`);
    this.health.register('kb', () => kbHealth(this.kb));
    await this.indexer.reindex().catch(() => undefined);
    if (this.options.watch) {
      this.watcher = new KbWatcher(this.options.dir, this.options.watchDebounceMs, () => {
        this.indexer.reindex().catch((err: Error) => this.logger.warn({ err: err.message }, 'watch-triggered reindex failed'));
      });
      this.watcher.start();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.watcher?.stop();
    this.health.unregister('kb');
    await this.store?.close().catch(() => undefined);
  }
}

/**
 * Knowledge-base grounding (issue 16). `register(options)` with `options.dir` set
 * indexes that folder and mounts `POST /v1/kb/reindex` and `GET /v1/kb/search`;
 * without `dir` it provides a disabled KbService (search returns []) and no routes.
 * Global, so the copilot can inject KbService wherever it needs it.
 * Needs MetricsService and HealthRegistry (ObservabilityModule) and, for the routes,
 * the app config that ApiKeyGuard reads.
 */
@Module({})
export class KbModule {
  static register(options: KbOptions, extras: KbModuleExtras = {}): DynamicModule {
    if (options.dir === undefined || options.dir === '') {
      return { module: KbModule, global: true, providers: [{ provide: KbService, useValue: KbService.disabled() }], exports: [KbService] };
    }
    const resolved = resolveKbOptions({ ...options, dir: options.dir });
    const providers: Provider[] = [
      { provide: KB_OPTIONS, useValue: resolved },
      { provide: KbMetrics, inject: [MetricsService], useFactory: (m: MetricsService) => new KbMetrics(m) },
      { provide: KB_EMBEDDER, inject: [KB_OPTIONS, KbMetrics], useFactory: (o: ResolvedKbOptions, m: KbMetrics) => createEmbedder(o.embeddings, m) ?? null },
      { provide: KB_STORE, inject: [KB_OPTIONS], useFactory: (o: ResolvedKbOptions) => createKbStore(o) ?? null },
      {
        provide: KbIndexer,
        inject: [KB_OPTIONS, KbMetrics, KB_EMBEDDER, KB_STORE],
        useFactory: (o: ResolvedKbOptions, metrics: KbMetrics, embedder: ResilientEmbedder | null, store: KbStore | null) =>
          new KbIndexer({ options: o, metrics, embedder: embedder ?? undefined, store: store ?? undefined }),
      },
      {
        provide: KbService,
        inject: [KB_OPTIONS, KbIndexer, KbMetrics, KB_EMBEDDER, KB_STORE],
        useFactory: (o: ResolvedKbOptions, indexer: KbIndexer, metrics: KbMetrics, embedder: ResilientEmbedder | null, store: KbStore | null) =>
          new KbService({ options: o, indexer, metrics, embedder: embedder ?? undefined, store: store ?? undefined }),
      },
      KbPageResolver,
      KbLifecycle,
    ];
    if (extras.pageContext) providers.push({ provide: KB_PAGE_CONTEXT, ...extras.pageContext } as Provider);
    return {
      module: KbModule,
      global: true,
      imports: extras.imports ?? [],
      controllers: [KbController],
      providers,
      exports: [KbService, KB_STORE, KB_OPTIONS],
    };
  }
}
