import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { brokerFor } from '../../test/helpers/broker.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { Reader, Writer } from '../../protocol/primitives/index.js';
import { encodeFrame, writeRequestHeader } from '../../protocol/frame.js';
import { ApiVersionsApi } from '../../protocol/generated/messages/18-api-versions.js';
import { MetadataApi, type MetadataResponse } from '../../protocol/generated/messages/03-metadata.js';
import { API_BY_KEY } from '../../protocol/generated/api-table.js';

function apiVersionsFrame(version: number, correlationId: number): Buffer[] {
  return encodeFrame((w: Writer) => {
    writeRequestHeader(w, { requestApiKey: 18, requestApiVersion: version, correlationId, clientId: 'test' });
    if (version <= 4)
      ApiVersionsApi.encodeRequest(w, version, { clientSoftwareName: 'test', clientSoftwareVersion: '1' });
  });
}

t.test(
  'ApiVersions advertises only served APIs, and answers unknown versions in v0 with UNSUPPORTED_VERSION',
  async (t) => {
    const { port } = await brokerFor(t);
    const c = await rawClient(port);
    c.send(apiVersionsFrame(3, 7));
    const r = new Reader(await c.next());
    t.equal(r.int32(), 7, 'correlation id');
    const res = ApiVersionsApi.decodeResponse(r, 3);
    t.equal(res.errorCode, 0);
    t.ok(
      res.apiKeys.some((k) => k.apiKey === 3 && k.maxVersion === 13),
      'Metadata up to v13 (Kafka 4.0)',
    );
    t.notOk(
      res.apiKeys.some((k) => k.apiKey === 71 || k.apiKey === 72),
      'telemetry is not advertised',
    );
    for (const k of res.apiKeys) {
      const api = API_BY_KEY.get(k.apiKey)!;
      if (api.latestVersionUnstable)
        t.ok(k.maxVersion < api.maxVersion, `${api.name}: the unstable v${api.maxVersion} is not advertised`);
      t.ok(k.maxVersion <= api.maxVersion && k.minVersion >= api.minVersion, `${api.name}: within Kafka's range`);
    }

    c.send(apiVersionsFrame(99, 8));
    const r2 = new Reader(await c.next());
    t.equal(r2.int32(), 8);
    const v0 = ApiVersionsApi.decodeResponse(r2, 0);
    t.equal(v0.errorCode, 35, 'UNSUPPORTED_VERSION');
    t.ok(v0.apiKeys.length > 0, 'lists what is supported');
    c.socket.destroy();
  },
);

t.test('pipelined requests are answered in order', async (t) => {
  const { port } = await brokerFor(t);
  const c = await rawClient(port);
  const frames: Buffer[] = [];
  for (let i = 0; i < 20; i++) {
    frames.push(
      ...(i % 2 === 0
        ? apiVersionsFrame(2, i)
        : encodeFrame((w) => {
            writeRequestHeader(w, { requestApiKey: 3, requestApiVersion: 9, correlationId: i, clientId: null });
            MetadataApi.encodeRequest(w, 9, {
              topics: null,
              allowAutoTopicCreation: false,
              includeClusterAuthorizedOperations: false,
              includeTopicAuthorizedOperations: false,
            });
          })),
    );
  }
  c.send(frames);
  for (let i = 0; i < 20; i++) t.equal(new Reader(await c.next()).int32(), i, `response ${i} in order`);
  c.socket.destroy();
});

t.test('an oversized frame or an unknown API key closes only that connection', async (t) => {
  const { port } = await brokerFor(t, { config: { 'socket.request.max.bytes': 1000 } });
  const big = await rawClient(port);
  const head = Buffer.alloc(4);
  head.writeInt32BE(2_000_000_000);
  big.send([head]);
  await big.closed;
  t.pass('oversized frame closed the connection');

  const unknown = await rawClient(port);
  const f = Buffer.alloc(14);
  f.writeInt32BE(10, 0);
  f.writeInt16BE(999, 4);
  unknown.send([f]);
  await unknown.closed;
  t.pass('unknown api key closed the connection');

  const empty = await rawClient(port);
  empty.send([Buffer.alloc(4)]);
  await empty.closed;
  t.pass('a zero-length frame (no header) closed the connection');

  // Frames split at every byte and several in one chunk are reassembled.
  const split = await rawClient(port);
  const two = Buffer.concat([...apiVersionsFrame(0, 7), ...apiVersionsFrame(0, 8)]);
  for (let i = 0; i < two.length; i++) split.send([two.subarray(i, i + 1)]);
  t.equal(new Reader(await split.next()).int32(), 7);
  t.equal(new Reader(await split.next()).int32(), 8);
  split.send([Buffer.concat([two, two])]);
  for (const id of [7, 8, 7, 8])
    t.equal(new Reader(await split.next()).int32(), id, 'pipelined frames in one chunk answered in order');
  split.socket.destroy();

  const good = await rawClient(port);
  good.send(apiVersionsFrame(0, 1));
  t.equal(new Reader(await good.next()).int32(), 1, 'other clients are still served');
  good.socket.destroy();
});

t.test(
  'kafkajs sees the cluster; Metadata auto-creates topics only when allowed, answering as KRaft Kafka does',
  async (t) => {
    const { bootstrap, port } = await brokerFor(t, { config: { 'num.partitions': 3 } });
    const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const cluster = await admin.describeCluster();
    t.equal(cluster.brokers.length, 1);
    t.equal(cluster.brokers[0]!.nodeId, 1);
    const missing = (await admin.fetchTopicMetadata({ topics: ['not-there'] }).catch((e: unknown) => e)) as {
      type?: string;
    };
    t.equal(missing.type, 'UNKNOWN_TOPIC_OR_PARTITION', 'admin does not auto-create');

    const c = await rawClient(port);
    const ask = async (version: number, names: string[], correlationId: number): Promise<MetadataResponse> => {
      c.send(
        encodeFrame((w) => {
          writeRequestHeader(w, { requestApiKey: 3, requestApiVersion: version, correlationId, clientId: null });
          MetadataApi.encodeRequest(w, version, {
            topics: names.map((name) => ({ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name })),
            allowAutoTopicCreation: true,
            includeClusterAuthorizedOperations: false,
            includeTopicAuthorizedOperations: false,
          });
        }),
      );
      const r = new Reader(await c.next());
      t.equal(r.int32(), correlationId);
      if (version >= 9) r.taggedFields();
      return MetadataApi.decodeResponse(r, version);
    };
    // The Metadata that starts the creation answers UNKNOWN_TOPIC_OR_PARTITION with no partitions, as
    // KRaft Kafka does (AutoTopicCreationManager); the client retries
    const first = await ask(12, ['auto-created', 'bad/name'], 1);
    t.equal(first.topics[0]!.errorCode, 3, 'UNKNOWN_TOPIC_OR_PARTITION while the creation starts');
    t.same(first.topics[0]!.partitions, [], 'no partitions yet');
    t.equal(first.topics[1]!.errorCode, 17, 'INVALID_TOPIC_EXCEPTION for an illegal name');
    const v13 = await ask(13, ['auto-created'], 3);
    t.equal(v13.errorCode, 0, 'v13 (Kafka 4.0, KIP-1102): top-level error code 0');
    t.equal(v13.topics[0]!.errorCode, 0);
    const res = await ask(12, ['auto-created'], 2);
    t.equal(res.topics[0]!.errorCode, 0, 'a later Metadata shows the created topic');
    t.equal(res.topics[0]!.partitions.length, 3, 'num.partitions applies to auto-created topics');
    t.not(res.topics[0]!.topicId, 'AAAAAAAAAAAAAAAAAAAAAA', 'the topic has an id');
    // v0 and v1 always allow auto-creation, and answer the same way
    for (const version of [0, 1]) {
      const name = `auto-v${version}`;
      const before = await ask(version, [name], 10 + version);
      t.equal(before.topics[0]!.errorCode, 3, `v${version}: UNKNOWN_TOPIC_OR_PARTITION first`);
      t.same(before.topics[0]!.partitions, []);
      const after = await ask(version, [name], 20 + version);
      t.equal(after.topics[0]!.errorCode, 0, `v${version}: created`);
    }
    // a deleted topic is observed as gone by the Metadata that re-creates it
    await admin.deleteTopics({ topics: ['auto-v1'] });
    const gone = await ask(1, ['auto-v1'], 30);
    t.equal(gone.topics[0]!.errorCode, 3, 'after a delete, the topic is not answered as existing');
    t.same(gone.topics[0]!.partitions, [], 'no partitions: the old ones are gone');
    const back = await ask(1, ['auto-v1'], 31);
    t.equal(back.topics[0]!.errorCode, 0, 're-created by the auto-creating Metadata');
    const md = await admin.fetchTopicMetadata({ topics: ['auto-created'] });
    t.equal(md.topics[0]!.partitions.length, 3);
    // kafkajs's producer retries the retriable UNKNOWN_TOPIC_OR_PARTITION: a send to a new topic lands
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    const sent = await producer.send({ topic: 'kafkajs-auto', messages: [{ value: 'v' }] });
    t.equal(sent[0]!.errorCode, 0, 'kafkajs produced to an auto-created topic');
    await producer.disconnect();
    c.socket.destroy();
    await admin.disconnect();
  },
);
