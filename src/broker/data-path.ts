/**
 * The state the data-path handlers share, held by the broker: the fetch purgatory and
 * the producer-state hook that idempotence and transactions will fill. Handlers stay
 * stateless; this object lives in BrokerServices as `dataPath`.
 */
import { FetchPurgatory, timerSchedule, type Schedule } from './delayed-fetch.js';
import { acceptAllProducers, ignoreAppended, type ProducerAppended, type ProducerStateCheck } from './produce.js';

export interface DataPathServices {
  fetchPurgatory: FetchPurgatory;
  /** Checks idempotent/transactional batches; replaced by the exactly-once work. */
  producerStateCheck: ProducerStateCheck;
  /** Updates producer state after an append of idempotent/transactional batches. */
  producerAppended: ProducerAppended;
}

export function createDataPathServices(
  options: { schedule?: Schedule; producerStateCheck?: ProducerStateCheck; producerAppended?: ProducerAppended } = {},
): DataPathServices {
  return {
    fetchPurgatory: new FetchPurgatory(options.schedule ?? timerSchedule),
    producerStateCheck: options.producerStateCheck ?? acceptAllProducers,
    producerAppended: options.producerAppended ?? ignoreAppended,
  };
}
