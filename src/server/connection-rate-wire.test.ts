/**
 * Connection creation rates on a real broker (quota windows 2 × 1 s): with
 * max.connection.creation.rate=2, connections beyond two a second are held unserved and then
 * served in order; with an ip connection_creation_rate quota (AlterClientQuotas), a connection
 * over it is closed after its throttle time without an answer, and kafkajs connecting under the
 * quota still gets through once the rate allows.
 */
import t from 'tap';
import { connect } from 'node:net';
import { once } from 'node:events';
import { Kafka, logLevel } from 'kafkajs';
import { ApiVersionsApi } from '../../protocol/generated/messages/18-api-versions.js';
import { AlterClientQuotasApi } from '../../protocol/generated/messages/49-alter-client-quotas.js';
import { brokerFor } from '../../test/helpers/broker.js';
import { rawClient, type RawClient } from '../../test/helpers/raw-client.js';

const WINDOWS = { 'quota.window.num': 2, 'quota.window.size.seconds': 1 };
const apiVersions = (c: RawClient) =>
  c.call(ApiVersionsApi, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' });

t.test('max.connection.creation.rate holds the connections over the rate, then serves them in order', async (t) => {
  t.setTimeout(60_000);
  const running = await brokerFor(t, { storage: 'memory', config: { ...WINDOWS, 'max.connection.creation.rate': 2 } });
  const started = Date.now();
  const clients = await Promise.all([0, 1, 2, 3, 4].map(() => rawClient(running.port)));
  t.teardown(() => clients.forEach((c) => c.close()));
  const answeredAt = await Promise.all(clients.map((c) => apiVersions(c).then(() => Date.now() - started)));
  const sorted = [...answeredAt].sort((a, b) => a - b);
  // 2/s: the third waits ~0.5 s, the fourth and fifth a window (1 s) each after it
  t.ok(sorted[4]! >= 1500, `the fifth connection was served ${sorted[4]} ms after they connected`);
  t.ok(sorted[4]! - sorted[1]! >= 1200, `and well after the second (${sorted[1]} ms)`);
  t.equal(running.broker.openConnections().filter((c) => c.listenerName === 'PLAINTEXT').length, 5, 'all five served');
});

t.test('an ip over its connection_creation_rate is closed after the throttle; kafkajs gets through', async (t) => {
  t.setTimeout(60_000);
  const running = await brokerFor(t, { storage: 'memory', config: WINDOWS });
  const admin = await rawClient(running.port, 'admin');
  t.teardown(() => admin.close());
  const set = await admin.call(AlterClientQuotasApi, 1, {
    entries: [
      {
        entity: [{ entityType: 'ip', entityName: '127.0.0.1' }],
        ops: [{ key: 'connection_creation_rate', value: 1, remove: false }],
      },
    ],
    validateOnly: false,
  });
  t.equal(set.entries[0]!.errorCode, 0, 'quota set');
  const first = await rawClient(running.port);
  t.teardown(() => first.close());
  t.equal((await apiVersions(first)).errorCode, 0, 'the first connection is served');
  const asked = Date.now();
  const second = connect(running.port, '127.0.0.1');
  t.teardown(() => second.destroy());
  let answered = false;
  second.on('data', () => (answered = true));
  second.on('error', () => undefined);
  second.once('connect', () =>
    second.write(
      Buffer.concat(first.frame(ApiVersionsApi, 0, { clientSoftwareName: '', clientSoftwareVersion: '' }, 1)),
    ),
  );
  await once(second, 'close');
  const closedAfter = Date.now() - asked;
  t.notOk(answered, 'the second got no answer');
  t.ok(closedAfter >= 500, `and was closed after its throttle (${closedAfter} ms)`);

  // kafkajs retries its connection; it is served once the rate is back under the quota
  const kafka = new Kafka({
    clientId: 'rate-limited',
    brokers: [`127.0.0.1:${running.port}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 300 },
  });
  const kadmin = kafka.admin();
  await kadmin.connect();
  t.teardown(() => kadmin.disconnect());
  t.ok((await kadmin.describeCluster()).brokers.length === 1, 'kafkajs connected and was answered');
});
