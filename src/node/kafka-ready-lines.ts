/**
 * The lines Kafka 3.9 logs when a KRaft node has started, which tools read in a container's output
 * to know the broker is ready (the Testcontainers Kafka modules of Java and Go wait for the first, the
 * Python module for the second; docker/testcontainers-modules.test.ts). Gregor logs them with the
 * meaning they have in Kafka, never earlier:
 * - "The broker has been unfenced. Transitioning from RECOVERY to RUNNING." Kafka's
 *   BrokerLifecycleManager logs it when the controller answers a heartbeat unfenced; here it is logged
 *   once this broker is unfenced and its client listeners serve (a little later, never before).
 *   Broker roles only, as in Kafka (a controller alone has no broker lifecycle).
 * - "Kafka Server started": KafkaRaftServer logs it once its controller and broker have started, a
 *   broker's start waiting to be unfenced; here once start() has returned and the client listeners serve.
 */
import type { Logger } from '../common/logger.js';

export const KAFKA_RUNNING_LINE = 'The broker has been unfenced. Transitioning from RECOVERY to RUNNING.';
export const KAFKA_STARTED_LINE = 'Kafka Server started';

/** Logs both lines once `serving` resolves true (false: the node stopped before it served). */
export function logKafkaReadyLines(log: Logger, isBroker: boolean, serving: Promise<boolean>): void {
  void serving.then((served) => {
    if (!served) return;
    if (isBroker) log.info(KAFKA_RUNNING_LINE);
    log.info(KAFKA_STARTED_LINE);
  });
}
