/**
 * The Java producer's settings the Kafka tools' producers check alike (ProducerConfig), with its
 * ConfigException messages: enable.idempotence after its checks, and whole-number settings.
 */
import { cliIo } from '../io.js';
import { KafkaToolExit } from './options.js';

/**
 * ProducerConfig.postProcessAndValidateIdempotenceConfigs: enable.idempotence (default true) holds
 * unless retries is 0, acks is not all or max.in.flight.requests.per.connection is above 5; then it is
 * turned off when it was not given, and refused when it was given as true.
 */
export function idempotenceSetting(props: Record<string, string>, acks: number, retriesText: string): boolean {
  const given = props['enable.idempotence'];
  const flag = (given ?? 'true').trim().toLowerCase();
  if (flag !== 'true' && flag !== 'false')
    throw new KafkaToolExit(
      1,
      `org.apache.kafka.common.config.ConfigException: Invalid value ${given} for configuration enable.idempotence: Expected value to be either true or false`,
    );
  if (flag === 'false') return false;
  const refuse = (message: string): never => {
    throw new KafkaToolExit(1, `org.apache.kafka.common.config.ConfigException: ${message}`);
  };
  if (timeSetting('retries', retriesText) === 0) {
    if (given !== undefined) refuse('Must set retries to non-zero when using the idempotent producer.');
    return false;
  }
  if (acks !== -1) {
    if (given !== undefined)
      refuse(
        'Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.',
      );
    return false;
  }
  const inFlightText = props['max.in.flight.requests.per.connection'];
  const inFlight = inFlightText === undefined ? 5 : timeSetting('max.in.flight.requests.per.connection', inFlightText);
  if (inFlight > 5) {
    if (given !== undefined)
      refuse('Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer.');
    cliIo().stderr.write(
      `WARN Idempotence will be disabled because max.in.flight.requests.per.connection is set to ${inFlight}, which is greater than 5. Please note that in v4.0.0 and onward, this will become an error. (org.apache.kafka.clients.producer.ProducerConfig)
`,
    );
    return false;
  }
  return true;
}

/** A non-negative whole-number setting (a time or a size), as Kafka's ConfigDef checks it. */
export function timeSetting(key: string, text: string): number {
  const value = Number(text.trim());
  if (text.trim() === '' || !Number.isInteger(value) || value < 0)
    throw new KafkaToolExit(1, `Invalid value ${text} for configuration ${key}`);
  return value;
}
