/**
 * Gregor's image started by @testcontainers/kafka 11.x's KafkaContainer, the module people already use
 * with confluentinc/cp-kafka, with only the image name changed; kafkajs produces and consumes through
 * the port it publishes. What the module does to the container (its build/kafka-container.js,
 * @testcontainers/kafka 11.14.0): entrypoint `sh`, command `-c "echo 'Waiting for script...'; while [ ! -f
 * /testcontainers_start.sh ]; do sleep 0.1; done; /testcontainers_start.sh"`; once started it copies in
 * /testcontainers_start.sh (`#!/bin/bash`, exports KAFKA_ADVERTISED_LISTENERS, runs
 * /etc/confluent/docker/run; for tags < 7.4.0 it first empties /etc/confluent/docker/ensure, deletes
 * the ZooKeeper lines of /etc/confluent/docker/configure and appends `kafka-storage format` to it) and
 * waits for the listening port 9093 (from the host, and inside through `/bin/sh -c 'cat /proc/net/tcp*
 * | awk ... | grep ...'`). The image tag is read as Confluent Platform's version: KRaft needs >= 7.0.0
 * and withKraft(), or >= 8.0.0. ZooKeeper mode (the default below 8.0.0) is refused with a message
 * naming KAFKA_ZOOKEEPER_CONNECT. Skips, saying why, when no Docker engine answers.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { KafkaContainer } from '@testcontainers/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { readFileSync } from 'node:fs';
import { TEST_IMAGE, closeEngineRequests, dockerUnavailable, ensureImage } from '../test/helpers/docker.js';
import { makeTestCerts, opensslAvailable } from '../test/helpers/certs.js';
import { kafkajsRoundTrip } from '../test/helpers/kafka-round-trip.js';

const unavailable = dockerUnavailable();
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
if (unavailable === null) t.setTimeout(1_800_000);
// Requests testcontainers left open to the engine kept this process alive for ~5 minutes now and then.
t.teardown(closeEngineRequests);

/** The test image under a tag the module reads as a Confluent Platform version (CP 7.9 is Apache Kafka 3.9). */
function tagged(version: string): string {
  const name = `gregor-kafka-module:${version}`;
  const tag = spawnSync('docker', ['tag', TEST_IMAGE, name], { encoding: 'utf8' });
  if (tag.status !== 0) throw new Error(`docker tag failed: ${tag.stderr}`);
  return name;
}

t.test('@testcontainers/kafka KafkaContainer', { skip: unavailable ?? false, timeout: 1_800_000 }, async (t) => {
  await ensureImage(TEST_IMAGE);
  t.teardown(() => {
    for (const version of ['7.9.0', '8.0.0', '7.3.0'])
      spawnSync('docker', ['rmi', `gregor-kafka-module:${version}`], { stdio: 'ignore' });
  });

  const cases: Array<{ name: string; version: string; kraft: boolean }> = [
    { name: 'tag 7.9.0 with withKraft()', version: '7.9.0', kraft: true },
    { name: 'tag 8.0.0 (KRaft by default)', version: '8.0.0', kraft: false },
    {
      name: 'tag 7.3.0 with withKraft() (the module edits configure and ensure, appends kafka-storage format)',
      version: '7.3.0',
      kraft: true,
    },
  ];
  for (const { name, version, kraft } of cases) {
    t.test(name, { timeout: 180_000 }, async (t) => {
      const started = Date.now();
      const module = new KafkaContainer(tagged(version));
      const container = await (kraft ? module.withKraft() : module).start();
      t.teardown(() => container.stop());
      t.comment(`start() to ready: ${Date.now() - started} ms`);
      const bootstrap = `${container.getHost()}:${container.getMappedPort(9093)}`;
      const values = await kafkajsRoundTrip(bootstrap, `tc-kafka-${version.replace(/\./g, '-')}`);
      t.same(values, ['v0', 'v1', 'v2', 'v3', 'v4'], 'kafkajs consumed what it produced');
      // The module's CLUSTER_ID is the cluster's id (4L6g3nShT-eMCtK--X86sw in 11.x).
      const described = await container.exec([
        '/opt/kafka/bin/kafka-cluster.sh',
        'cluster-id',
        '--bootstrap-server',
        'localhost:9092',
      ]);
      t.match(described.output, /Cluster ID: 4L6g3nShT-eMCtK--X86sw/, described.output);
    });
  }

  t.test(
    'ZooKeeper mode (tag 7.9.0 without withKraft()) is refused, naming the setting',
    { timeout: 180_000 },
    async (t) => {
      const logs: string[] = [];
      const module = new KafkaContainer(tagged('7.9.0')).withStartupTimeout(60_000).withLogConsumer((stream) => {
        stream.on('data', (line: Buffer | string) => logs.push(String(line)));
      });
      await t.rejects(module.start(), 'start() fails');
      t.match(
        logs.join(''),
        /KAFKA_ZOOKEEPER_CONNECT=localhost:2181 asks for ZooKeeper mode/,
        'the output names the setting',
      );
    },
  );
  t.test(
    'withSaslSslListener in KRaft mode: kafka-storage format --add-scram creates the user, kafkajs signs in with SCRAM-SHA-512',
    { skip: opensslAvailable() ? false : 'no openssl to make the key store', timeout: 180_000 },
    async (t) => {
      const certs = makeTestCerts();
      t.teardown(() => certs.cleanup());
      const container = await new KafkaContainer(tagged('7.9.0'))
        .withKraft()
        .withSaslSslListener({
          port: 9096,
          sasl: { mechanism: 'SCRAM-SHA-512', user: { name: 'app', password: 'app-secret' } },
          keystore: { content: readFileSync(certs.serverP12), passphrase: certs.storePassword },
        })
        .start();
      t.teardown(() => container.stop());
      const admin = new Kafka({
        brokers: [`${container.getHost()}:${container.getMappedPort(9096)}`],
        ssl: { ca: [certs.caPem], checkServerIdentity: () => undefined },
        sasl: { mechanism: 'scram-sha-512', username: 'app', password: 'app-secret' },
        logLevel: logLevel.NOTHING,
      }).admin();
      await admin.connect();
      t.ok(Array.isArray(await admin.listTopics()), 'app signed in over SASL_SSL');
      await admin.disconnect();
    },
  );
});
