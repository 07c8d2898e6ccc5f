/**
 * The state the data-path handlers share, held by the broker: the fetch purgatory and
 * the producer-state hook that idempotence and transactions will fill. Handlers stay
 * stateless; this object lives in BrokerServices as `dataPath`.
 */
import { FetchPurgatory, timerSchedule, type Schedule } from './delayed-fetch.js';
import { acceptAllProducers, type ProducerStateCheck } from './produce.js';

export interface DataPathServices {
  fetchPurgatory: FetchPurgatory;
  /** Checks idempotent/transactional batches; replaced by the exactly-once work. */
  producerStateCheck: ProducerStateCheck;
}

export function createDataPathServices(options: { schedule?: Schedule; producerStateCheck?: ProducerStateCheck } = {}): DataPathServices {
  return {
    fetchPurgatory: new FetchPurgatory(options.schedule ?? timerSchedule),
    producerStateCheck: options.producerStateCheck ?? acceptAllProducers,
  };
}
