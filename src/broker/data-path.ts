/**
 * The state the data-path handlers share, held by the broker: the fetch purgatory, the
 * fetch session cache (KIP-227) and the producer-state hook that idempotence and
 * transactions will fill. Handlers stay stateless; this lives in BrokerServices as `dataPath`.
 */
import { nodeCrypto } from '../common/node-crypto.js';
import { FetchPurgatory, timerSchedule, type Schedule } from './delayed-fetch.js';
import { FetchSessionCache } from './fetch-sessions.js';
import { acceptAllProducers, ignoreAppended, type ProducerAppended, type ProducerStateCheck } from './produce.js';

export interface DataPathServices {
  fetchPurgatory: FetchPurgatory;
  /** acks=-1 produces waiting for the high watermark (src/broker/delayed-produce.ts). */
  producePurgatory: FetchPurgatory;
  fetchSessions: FetchSessionCache;
  /** Checks idempotent/transactional batches; replaced by the exactly-once work. */
  producerStateCheck: ProducerStateCheck;
  /** Updates producer state after an append of idempotent/transactional batches. */
  producerAppended: ProducerAppended;
}

export interface DataPathOptions {
  schedule?: Schedule;
  producerStateCheck?: ProducerStateCheck;
  producerAppended?: ProducerAppended;
  /** max.incremental.fetch.session.cache.slots */
  maxFetchSessions?: number;
  nextSessionId?: () => number;
}

export function createDataPathServices(options: DataPathOptions = {}): DataPathServices {
  return {
    fetchPurgatory: new FetchPurgatory(options.schedule ?? timerSchedule),
    producePurgatory: new FetchPurgatory(options.schedule ?? timerSchedule),
    fetchSessions: new FetchSessionCache(
      options.maxFetchSessions ?? 1000,
      options.nextSessionId ?? (() => nodeCrypto().randomInt(1, 0x7fffffff)),
    ),
    producerStateCheck: options.producerStateCheck ?? acceptAllProducers,
    producerAppended: options.producerAppended ?? ignoreAppended,
  };
}
