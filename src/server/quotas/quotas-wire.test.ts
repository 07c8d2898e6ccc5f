/**
 * Client quotas on the wire, with a raw client on a real broker (quota windows 2 × 1 s, so a
 * client's allowance is one second of its quota): a Produce over producer_byte_rate is appended
 * and answered at once with throttle_time_ms, then the connection reads nothing for that long; a
 * Fetch over consumer_byte_rate returns no data, with throttle_time_ms; request_percentage throttles
 * any API; clients without a quota are untouched; /metrics shows the rates and throttle times.
 */
import t, { type Test } from 'tap';
import { brokerFor } from '../../../test/helpers/broker.js';
import { rawClient, type RawClient } from '../../../test/helpers/raw-client.js';
import { sampleValue, scrape } from '../../../test/helpers/prometheus-text.js';
import { batchOf, fetchRequest, produceRequest } from '../../../test/helpers/data-path.js';
import { ProduceApi } from '../../../protocol/generated/messages/00-produce.js';
import { FetchApi } from '../../../protocol/generated/messages/01-fetch.js';
import { MetadataApi } from '../../../protocol/generated/messages/03-metadata.js';
import { ApiVersionsApi } from '../../../protocol/generated/messages/18-api-versions.js';
import { AlterClientQuotasApi } from '../../../protocol/generated/messages/49-alter-client-quotas.js';
import {
  CreateTopicsApi,
  defaultCreateTopicsRequestCreatableTopic,
} from '../../../protocol/generated/messages/19-create-topics.js';

async function setQuota(c: RawClient, clientId: string | null, key: string, value: number): Promise<void> {
  const res = await c.call(AlterClientQuotasApi, 1, {
    entries: [{ entity: [{ entityType: 'client-id', entityName: clientId }], ops: [{ key, value, remove: false }] }],
    validateOnly: false,
  });
  if (res.entries[0]!.errorCode !== 0) throw new Error(`AlterClientQuotas: ${res.entries[0]!.errorMessage}`);
}

const apiVersions = (c: RawClient) =>
  c.call(ApiVersionsApi, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' });

async function setup(t: Test) {
  const running = await brokerFor(t, {
    storage: 'memory',
    config: { 'quota.window.num': 2, 'quota.window.size.seconds': 1, 'metrics.listener': 'http://127.0.0.1:0' },
  });
  const admin = await rawClient(running.port, 'admin');
  t.teardown(() => admin.close());
  await admin.call(CreateTopicsApi, 7, {
    topics: [{ ...defaultCreateTopicsRequestCreatableTopic(), name: 'q', numPartitions: 1, replicationFactor: 1 }],
    timeoutMs: 5000,
    validateOnly: false,
  });
  return { running, admin };
}

t.test('Produce over producer_byte_rate: appended, answered with throttle_time_ms, then muted', async (t) => {
  t.setTimeout(60_000);
  const { running, admin } = await setup(t);
  // the raw client's id is raw-test; 5000 bytes a second
  await setQuota(admin, 'raw-test', 'producer_byte_rate', 5000);
  const c = await rawClient(running.port);
  t.teardown(() => c.close());
  const big = batchOf(['x'.repeat(9000)]);
  const first = await c.call(ProduceApi, 9, produceRequest('q', 0, big));
  t.equal(first.responses[0]!.partitionResponses[0]!.errorCode, 0, 'appended');
  // about 9100 bytes over one second against 5000: (9100 - 5000) / 5000 × 1000 ms
  t.ok(first.throttleTimeMs > 600 && first.throttleTimeMs <= 1000, `throttle_time_ms ${first.throttleTimeMs}`);
  const asked = Date.now();
  await apiVersions(c);
  const waited = Date.now() - asked;
  t.ok(waited >= first.throttleTimeMs / 2, `the next request waited ${waited} ms for the mute`);
  const fetched = await admin.call(FetchApi, 12, fetchRequest([{ topic: 'q', partition: 0 }]));
  t.ok(fetched.responses[0]!.partitions[0]!.records!.length > 9000, 'the throttled produce was appended');

  const metrics = await scrape(`http://127.0.0.1:${running.broker.ops!.address!.port}`);
  const tags = { user: '', client_id: 'raw-test' };
  // ~9,100 bytes inside the 11 one-second samples: at least 9100 / 11 B/s however slow this machine is.
  const rate = sampleValue(metrics, 'kafka_server_produce_byte_rate', tags) ?? 0;
  t.ok(rate > 800 && rate <= 9200, `/metrics: the measured rate ${Math.round(rate)} B/s`);
  t.equal(
    sampleValue(metrics, 'kafka_server_produce_throttle_time_ms_total', tags),
    first.throttleTimeMs,
    '/metrics: the throttle answered',
  );

  // another client id has no quota: never throttled
  const other = await admin.call(ProduceApi, 9, produceRequest('q', 0, big));
  t.equal(other.throttleTimeMs, 0, 'a client without a quota is not throttled');
});

t.test('Fetch over consumer_byte_rate returns no data and throttle_time_ms', async (t) => {
  t.setTimeout(60_000);
  const { running, admin } = await setup(t);
  for (let i = 0; i < 4; i++) await admin.call(ProduceApi, 9, produceRequest('q', 0, batchOf(['y'.repeat(4000)])));
  await setQuota(admin, null, 'consumer_byte_rate', 5000);
  const c = await rawClient(running.port);
  t.teardown(() => c.close());
  const first = await c.call(FetchApi, 12, fetchRequest([{ topic: 'q', partition: 0 }], { maxBytes: 1 << 20 }));
  const records = first.responses[0]!.partitions[0]!.records!;
  t.ok(records.length > 0 && records.length < 5000, `maxBytes capped to one window of quota: ${records.length} bytes`);
  t.equal(first.throttleTimeMs, 0, 'within quota');
  const second = await c.call(
    FetchApi,
    12,
    fetchRequest([{ topic: 'q', partition: 0, offset: 1n }], { maxBytes: 1 << 20 }),
  );
  t.ok(second.throttleTimeMs > 0, `over quota: throttle_time_ms ${second.throttleTimeMs}`);
  t.same(second.responses, [], 'a throttled fetch carries no data');
  const asked = Date.now();
  const third = await c.call(FetchApi, 12, fetchRequest([{ topic: 'q', partition: 0, offset: 1n }]));
  t.ok(Date.now() - asked >= second.throttleTimeMs / 2, 'the connection was muted meanwhile');
  t.ok(third.responses[0]!.partitions[0]!.records!.length > 0, 'data again once the rate is back under the quota');
});

t.test('request_percentage throttles any API', async (t) => {
  t.setTimeout(60_000);
  const { running, admin } = await setup(t);
  // 0.01 % of a second is 0.1 ms of broker time per second: a few Metadata requests exceed it
  await setQuota(admin, 'raw-test', 'request_percentage', 0.01);
  const c = await rawClient(running.port);
  t.teardown(() => c.close());
  let throttle = 0;
  for (let i = 0; i < 50 && throttle === 0; i++) {
    const res = await c.call(MetadataApi, 12, {
      topics: null,
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    throttle = res.throttleTimeMs;
  }
  t.ok(throttle > 0 && throttle <= 1000, `Metadata throttled ${throttle} ms, at most one window`);
});
