/**
 * SASL re-authentication (KIP-368) with `connections.max.reauth.ms`: SaslAuthenticate v1+ reports
 * the session lifetime; a raw client re-authenticates (SaslHandshake + SaslAuthenticate on the
 * authenticated connection) and keeps being served; a session left to expire is closed at its next
 * request; a re-authentication as another user is refused; kafkajs, which re-authenticates on its
 * own, keeps producing across several lifetimes on the same connection.
 */
import t, { type Test } from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { brokerFor } from '../../../test/helpers/broker.js';
import { rawClient, type RawClient } from '../../../test/helpers/raw-client.js';
import { ErrorCode } from '../../../protocol/generated/error-codes.js';
import { SaslHandshakeApi } from '../../../protocol/generated/messages/17-sasl-handshake.js';
import { SaslAuthenticateApi } from '../../../protocol/generated/messages/36-sasl-authenticate.js';
import { MetadataApi } from '../../../protocol/generated/messages/03-metadata.js';
import type { RunningBroker } from '../../index.js';

const PLAIN_JAAS =
  'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret" user_bob="bob-secret";';

async function reauthBroker(t: Test, lifetimeMs: number): Promise<{ running: RunningBroker; port: number }> {
  const running = await brokerFor(t, {
    storage: 'memory',
    config: {
      listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT',
      'sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': PLAIN_JAAS,
      'listener.name.sasl_plaintext.plain.connections.max.reauth.ms': String(lifetimeMs),
    },
  });
  return { running, port: running.broker.bound.find((b) => b.name === 'SASL_PLAINTEXT')!.port };
}

async function authenticate(c: RawClient, user: string, password: string) {
  const handshake = await c.call(SaslHandshakeApi, 1, { mechanism: 'PLAIN' });
  if (handshake.errorCode !== 0) throw new Error(`handshake ${handshake.errorCode}`);
  return c.call(SaslAuthenticateApi, 2, { authBytes: Buffer.from(`\u0000${user}\u0000${password}`) });
}

const metadata = (c: RawClient) =>
  c.call(MetadataApi, 12, {
    topics: [],
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  });

async function until(condition: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

t.test('the session lifetime is reported; re-authenticating renews it; an expired session is closed', async (t) => {
  t.setTimeout(60_000);
  const { port } = await reauthBroker(t, 1500);
  const c = await rawClient(port);
  t.teardown(() => c.close());
  const first = await authenticate(c, 'alice', 'alice-secret');
  t.equal(first.errorCode, 0);
  t.equal(first.sessionLifetimeMs, 1500n, 'SaslAuthenticate v1+ carries connections.max.reauth.ms');
  t.equal((await metadata(c)).brokers.length, 1, 'served while the session lasts');

  const authenticatedAt = Date.now();
  await until(() => Date.now() - authenticatedAt >= 1100, 2000);
  const again = await authenticate(c, 'alice', 'alice-secret');
  t.equal(again.errorCode, 0, 're-authenticated on the same connection');
  t.equal(again.sessionLifetimeMs, 1500n);
  const renewedAt = Date.now();
  await until(() => Date.now() - authenticatedAt >= 1700, 2000);
  t.equal((await metadata(c)).brokers.length, 1, 'past the first session: the renewed one serves');

  await until(() => Date.now() - renewedAt >= 1700, 3000);
  c.send(
    c.frame(
      MetadataApi,
      12,
      {
        topics: [],
        allowAutoTopicCreation: false,
        includeClusterAuthorizedOperations: false,
        includeTopicAuthorizedOperations: false,
      },
      77,
    ),
  );
  await c.closed;
  t.pass('a request on an expired session closes the connection');
});

t.test('re-authenticating as another principal is refused', async (t) => {
  t.setTimeout(60_000);
  const { port } = await reauthBroker(t, 60_000);
  const c = await rawClient(port);
  t.teardown(() => c.close());
  t.equal((await authenticate(c, 'alice', 'alice-secret')).errorCode, 0);
  t.equal((await metadata(c)).brokers.length, 1);
  // at most one re-authentication a second: wait past it
  await new Promise((r) => setTimeout(r, 1100));
  const other = await authenticate(c, 'bob', 'bob-secret');
  t.equal(other.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
  t.equal(other.errorMessage, 'Cannot change principals during re-authentication from User.alice: User.bob');
  await c.closed;
  t.pass('then closed');
});

t.test('kafkajs re-authenticates on its own and keeps producing across several session lifetimes', async (t) => {
  t.setTimeout(60_000);
  const { running, port } = await reauthBroker(t, 2500);
  const admin = new Kafka({ brokers: [running.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'reauth', numPartitions: 1 }] });
  const kafka = new Kafka({
    brokers: [`127.0.0.1:${port}`],
    sasl: { mechanism: 'plain', username: 'alice', password: 'alice-secret' },
    logLevel: logLevel.NOTHING,
    // re-authenticate when less than a second of the session is left
    reauthenticationThreshold: 1000,
  });
  const producer = kafka.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const saslConnections = (): number[] =>
    running.broker
      .openConnections()
      .filter((c) => c.listenerName === 'SASL_PLAINTEXT')
      .map((c) => c.connectionId)
      .sort();
  await producer.send({ topic: 'reauth', messages: [{ value: 'm0' }] });
  const connectionsAtStart = saslConnections();
  const started = Date.now();
  let sent = 1;
  while (Date.now() - started < 7000) {
    await producer.send({ topic: 'reauth', messages: [{ value: `m${sent}` }] });
    sent++;
    await new Promise((r) => setTimeout(r, 250));
  }
  t.ok(sent >= 10, `${sent} sends over 7 s, almost three session lifetimes`);
  // had a session expired without re-authentication, the broker would have closed its connection
  t.same(saslConnections(), connectionsAtStart, 'on the same connections throughout');
  const offsets = await admin.fetchTopicOffsets('reauth');
  t.equal(offsets[0]!.high, String(sent), 'every message written');
});
