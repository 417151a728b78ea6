import { Injectable } from '@nestjs/common';
import type { Histogram } from 'prom-client';
import type { LabelledCounter } from './labelled-counter';
import { MetricsService } from './metrics.service';

type Observer = { observe(value: number): void };

/**
 * `http_request_duration_seconds{method,route,status}` for both ways in (the fast lane
 * and Express). Each label combination's child is looked up through nested maps, so a
 * request builds no label object (prom-client's child still hashes its labels on each
 * observation, ~1.5% of an ingest request's CPU: left, a histogram is more to redo).
 */
@Injectable()
export class HttpMetrics {
  private readonly histogram: Histogram<string>;
  private readonly children = new Map<string, Map<string, Map<number, Observer>>>();
  private readonly laneCounter: LabelledCounter;

  constructor(metrics: MetricsService) {
    this.laneCounter = metrics.labelledCounter({
      name: 'http_fast_lane_requests_total',
      help: 'Requests the fast lane served (the rest of the hot routes\' traffic went through Express), by route',
      labelNames: ['route'],
    });
    this.histogram = metrics.histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by method, route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    });
  }

  /** `startNs` from process.hrtime.bigint() when the request arrived. */
  observe(method: string, route: string, status: number, startNs: bigint): void {
    this.child(method, route, status).observe(Number(process.hrtime.bigint() - startNs) / 1e9);
  }

  /** Counts a request the fast lane served (routes are the registered hot routes: bounded). */
  servedByLane(route: string): void {
    this.laneCounter.inc(route);
  }

  private child(method: string, route: string, status: number): Observer {
    let byRoute = this.children.get(method);
    if (!byRoute) this.children.set(method, (byRoute = new Map()));
    let byStatus = byRoute.get(route);
    if (!byStatus) byRoute.set(route, (byStatus = new Map()));
    let child = byStatus.get(status);
    if (!child) {
      // Unknown methods and unmatched routes share one label each, so a scanner cannot grow the map.
      if (byStatus.size > 64 || byRoute.size > 256 || this.children.size > 16) return this.histogram.labels({ method: 'other', route: 'unmatched', status: String(status) });
      byStatus.set(status, (child = this.histogram.labels({ method, route, status: String(status) })));
    }
    return child;
  }
}
