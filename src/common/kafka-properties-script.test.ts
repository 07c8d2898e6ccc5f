/**
 * bin/docker/kafka-properties.cjs (the Docker image's /etc/confluent/docker/configure writes
 * /etc/kafka/kafka.properties with it) maps the KAFKA_* environment as `gregor start` does
 * (configFromEnv), and the file it writes reads back to the same settings, values with
 * backslashes, separators, leading spaces and line breaks included.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFromEnv, parseProperties } from './config.js';

const SCRIPT = new URL('../../bin/docker/kafka-properties.cjs', import.meta.url).pathname;

t.test('the same settings as gregor start', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kafka-properties-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    KAFKA_NODE_ID: '1',
    KAFKA_LISTENERS: 'PLAINTEXT://0.0.0.0:9093,BROKER://0.0.0.0:9092',
    KAFKA_LISTENER_NAME_SECURE_SCRAM___SHA___256_SASL_JAAS_CONFIG: 'org.Module required user="a\\b";',
    KAFKA_SOME__UNDERSCORED_NAME: ' leading space, = and : and # ! inside\nsecond line\ttab',
    KAFKA_HEAP_OPTS: '-Xmx1G',
    KAFKA_JMX_HOSTNAME: 'host',
    KAFKA_CONFLUENT_SUPPORT_METRICS_ENABLE: 'false',
    CLUSTER_ID: 'not-a-kafka-variable',
  };
  const target = join(dir, 'kafka.properties');
  const run = spawnSync(process.execPath, [SCRIPT, target], { env, encoding: 'utf8' });
  t.equal(run.status, 0, run.stderr);
  const written = parseProperties(readFileSync(target, 'utf8'));
  t.same(Object.fromEntries(written), Object.fromEntries(configFromEnv(env)));
  t.equal(written.get('listener.name.secure.scram-sha-256.sasl.jaas.config'), 'org.Module required user="a\\b";');
  t.notOk(written.has('heap.opts'), 'JVM variables are not settings');
});
