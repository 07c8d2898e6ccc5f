/** GregorContainer passes configs as KAFKA_* variables: the broker's environment mapping reads each back unchanged. */
import t from 'tap';
import { kafkaEnvName } from './index.js';
import { configFromEnv } from '../common/config.js';

t.test('kafkaEnvName is the inverse of the apache/kafka mapping', async (t) => {
  for (const name of [
    'num.partitions',
    'log.retention.ms',
    'metrics.listener',
    'listener.name.internal.ssl_keystore-location',
    'log4j.root.loglevel',
  ]) {
    const env = kafkaEnvName(name);
    t.match(env, /^KAFKA_[A-Z0-9_]+$/, env);
    t.same([...configFromEnv({ [env]: 'x' })], [[name, 'x']], name);
  }
});
