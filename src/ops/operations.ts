/**
 * The broker's operations side, built when `metrics.listener` is set: the data-path
 * counters the handlers feed, the ISR change counters the metadata feeds, and the HTTP
 * listener serving /metrics, /livez and /readyz. The listener opens before log recovery
 * (so /livez answers and /readyz says "not started" while recovering) and the broker
 * attaches itself once it serves.
 */
import { performance } from 'node:perf_hooks';
import type { BrokerConfig } from '../common/config.js';
import type { Logger } from '../common/logger.js';
import type { ImageChange } from '../metadata/image.js';
import type { BrokerView } from './broker-view.js';
import {
  METRICS_LISTENER_CONFIG,
  OpsHttpListener,
  parseMetricsListener,
  type HttpListenerAddress,
  type UiHandler,
} from './http-listener.js';
import { IsrChanges } from './isr-changes.js';
import { createMetricsRegistry } from './metrics-registry.js';
import { TrafficCounters } from './traffic-counters.js';

export class Operations {
  readonly traffic: TrafficCounters;
  readonly isr: IsrChanges;
  private view: BrokerView | null = null;
  private readonly http: OpsHttpListener;

  private constructor(
    private readonly at: HttpListenerAddress,
    nodeId: number,
    log: Logger,
    now: () => number,
  ) {
    this.traffic = new TrafficCounters(now);
    this.isr = new IsrChanges(nodeId);
    const registry = createMetricsRegistry({ traffic: this.traffic, isr: this.isr, view: () => this.view, now });
    this.http = new OpsHttpListener(registry, () => this.view, log);
  }

  /** Null when `metrics.listener` is not set; throws ConfigError when it is malformed. */
  static fromConfig(config: BrokerConfig, log: Logger, now: () => number = () => performance.now()): Operations | null {
    const value = config.explicit(METRICS_LISTENER_CONFIG);
    if (value === undefined || value.trim() === '') return null;
    return new Operations(parseMetricsListener(value.trim()), config.nodeId(), log, now);
  }

  listen(): Promise<HttpListenerAddress> {
    return this.http.listen(this.at);
  }

  /** The bound HTTP address (port 0 resolved), once listening. */
  get address(): HttpListenerAddress | null {
    return this.http.address;
  }

  /** Told of every metadata change: ISR sizes, and deleted topics' series. */
  observe(change: ImageChange): void {
    this.isr.observe(change);
    if (change.kind === 'topic-deleted') this.traffic.forgetTopic(change.topic.name);
  }

  /** The broker serves: /readyz checks it and /metrics reads it from now on. */
  attach(view: BrokerView): void {
    this.view = view;
  }

  /** Serves the web console at /ui from now on. */
  attachConsole(handler: UiHandler): void {
    this.http.ui = handler;
  }

  /** The broker is stopping: /readyz fails from now on. */
  detach(): void {
    this.view = null;
  }

  close(): Promise<void> {
    this.view = null;
    return this.http.close();
  }
}
