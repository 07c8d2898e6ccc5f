/**
 * The broker's client quotas, one manager per kind: Produce bytes (`producer_byte_rate`, the
 * request's size), Fetch bytes (`consumer_byte_rate`, the records returned to consumers) and
 * request time (`request_percentage`: the percentage of one second the broker's event loop spent
 * on the client's requests, capped at one window of throttle as Kafka caps it), each sampled over
 * `quota.window.num` windows of `quota.window.size.seconds`. A client is its user principal's name
 * and its client id. src/handlers/throttling.ts applies them to requests (what is exempt is
 * written there); the connection mutes for the throttle after sending the response (KIP-219).
 * `controller_mutation_rate` (partitions created or deleted per second) is a token bucket per
 * client (controller-mutation-quota.ts), applied by the CreateTopics, CreatePartitions and
 * DeleteTopics handlers on the active controller.
 * Leaves out: custom quota callbacks.
 */
import type { BrokerConfig } from '../../common/config.js';
import { ClientQuotaManager, type QuotaSource } from './client-quota-manager.js';
import type { QuotaWindowConfig } from './sampled-rate.js';
import { ControllerMutationQuotas } from './controller-mutation-quota.js';

export class ClientQuotas {
  readonly produce: ClientQuotaManager;
  readonly fetch: ClientQuotaManager;
  readonly request: ClientQuotaManager;
  readonly mutation: ControllerMutationQuotas;

  constructor(
    readonly window: QuotaWindowConfig,
    source: () => QuotaSource,
    /** The clock requests are recorded on (the request context's), for reading the rates. */
    readonly now: () => number,
  ) {
    this.produce = new ClientQuotaManager('producer_byte_rate', window, source);
    this.fetch = new ClientQuotaManager('consumer_byte_rate', window, source);
    this.request = new ClientQuotaManager('request_percentage', window, source, window.windowMs);
    this.mutation = new ControllerMutationQuotas(window, source);
  }

  static fromConfig(config: BrokerConfig, source: () => QuotaSource, now: () => number): ClientQuotas {
    return new ClientQuotas(
      { samples: config.int('quota.window.num'), windowMs: config.int('quota.window.size.seconds') * 1000 },
      source,
      now,
    );
  }
}
