import t from 'tap';
import { brokerFor } from '../../test/helpers/broker.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { createTopic, until } from '../../test/helpers/topics.js';
import { batchOf, fetchOne, fetchRequest, produce } from '../../test/helpers/data-path.js';
import { FetchApi } from '../../protocol/generated/messages/01-fetch.js';
import { Reader } from '../../protocol/primitives/index.js';
import { CompressionCodec, decodeLegacyMessageSet, decodeRecordBatches } from '../../protocol/records/index.js';

t.test('every fetch version 0-17 reads the records back in the format it understands', async (t) => {
  const running = await brokerFor(t);
  const topicId = createTopic(running, 'f');
  const c = await rawClient(running.port);
  await produce(c, 9, 'f', 0, batchOf(['a', 'b']));
  await produce(c, 9, 'f', 0, batchOf(['c'], { compression: CompressionCodec.GZIP }));
  for (let v = 0; v <= 17; v++) {
    const part = v >= 13 ? { topicId } : { topic: 'f' };
    const response = await c.call(FetchApi, v, fetchRequest([{ ...part, offset: 1n }]));
    t.equal(response.sessionId, 0, `v${v} sessionless`);
    const data = response.responses[0]!.partitions[0]!;
    t.equal(data.errorCode, 0, `v${v} no error`);
    t.equal(data.highWatermark, 3n, `v${v} high watermark`);
    t.equal(data.lastStableOffset, v >= 4 ? 3n : -1n, `v${v} last stable offset`);
    t.equal(data.logStartOffset, v >= 5 ? 0n : -1n, `v${v} log start offset`);
    t.equal(data.preferredReadReplica, -1, `v${v} preferred read replica`);
    if (v >= 13) t.equal(response.responses[0]!.topicId, topicId, `v${v} answers by topic id`);
    else t.equal(response.responses[0]!.topic, 'f', `v${v} answers by name`);
    const values =
      v <= 3
        ? decodeLegacyMessageSet(data.records!).map((m) => {
            t.equal(m.magic, v <= 1 ? 0 : 1, `v${v} magic`);
            return m.value!.toString();
          })
        : decodeRecordBatches(data.records!).flatMap((b) => b.records.map((r) => r.value!.toString()));
    t.same(values, ['a', 'b', 'c'], `v${v} values (the batch holding offset 1 starts at 0)`);
  }
  c.close();
});

t.test('fetch errors: out of range, unknown topic, unknown topic id, sessions, zstd down-conversion', async (t) => {
  const running = await brokerFor(t);
  createTopic(running, 'e');
  const c = await rawClient(running.port);
  await produce(c, 9, 'e', 0, batchOf(['a', 'b']));
  await produce(c, 9, 'e', 0, batchOf(['z'], { compression: CompressionCodec.ZSTD }));
  t.equal((await fetchOne(c, 12, { topic: 'e', offset: 4n })).errorCode, 1, 'past the log end');
  t.equal((await fetchOne(c, 12, { topic: 'e', offset: -1n })).errorCode, 1, 'negative offset');
  t.equal((await fetchOne(c, 12, { topic: 'e', offset: 3n })).records!.length, 0, 'at the log end: empty, no error');
  const unknown = await fetchOne(c, 12, { topic: 'none' });
  t.equal(unknown.errorCode, 3, 'unknown topic');
  t.equal(unknown.highWatermark, -1n);
  t.equal((await fetchOne(c, 13, { topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' })).errorCode, 100, 'UNKNOWN_TOPIC_ID');
  const session = await c.call(FetchApi, 12, fetchRequest([{ topic: 'e' }], { sessionId: 5, sessionEpoch: 1 }));
  t.equal(session.errorCode, 70, 'FETCH_SESSION_ID_NOT_FOUND');
  const epoch = await c.call(FetchApi, 12, fetchRequest([{ topic: 'e' }], { sessionId: 0, sessionEpoch: 3 }));
  t.equal(epoch.errorCode, 70, 'session id 0 names no session: FETCH_SESSION_ID_NOT_FOUND, as Kafka');
  t.equal((await fetchOne(c, 3, { topic: 'e', offset: 2n })).errorCode, 76, 'zstd cannot go to magic 1');
  const fenced = await fetchOne(c, 12, { topic: 'e' }, {});
  t.equal(fenced.errorCode, 0);
  c.close();
});

t.test('limits: maxBytes, partitionMaxBytes and KIP-74 at least one batch', async (t) => {
  const running = await brokerFor(t);
  createTopic(running, 'l', { partitions: 2 });
  const c = await rawClient(running.port);
  const big = batchOf(['x'.repeat(1000)]);
  for (let i = 0; i < 3; i++) {
    await produce(c, 9, 'l', 0, big);
    await produce(c, 9, 'l', 1, big);
  }
  const one = await fetchOne(c, 12, { topic: 'l', partitionMaxBytes: 10 });
  t.equal(one.records!.length, big.length, 'a partition limit below the first batch still gives one whole batch');
  const two = await fetchOne(c, 12, { topic: 'l', partitionMaxBytes: big.length * 2 + 10 });
  t.equal(two.records!.length, big.length * 2, 'whole batches up to the partition limit');
  const shared = await c.call(
    FetchApi,
    12,
    fetchRequest(
      [
        { topic: 'l', partition: 0 },
        { topic: 'l', partition: 1 },
      ],
      { maxBytes: big.length + 100 },
    ),
  );
  t.equal(shared.responses[0]!.partitions[0]!.records!.length, big.length, 'first partition: one batch');
  t.equal(shared.responses.length, 1, 'partitions of one topic are grouped');
  t.equal(
    shared.responses[0]!.partitions[1]!.records!.length,
    0,
    'second partition: nothing, the first one had more than maxBytes (Kafka slices maxBytes of its segment)',
  );
  const tail = await c.call(
    FetchApi,
    12,
    fetchRequest(
      [
        { topic: 'l', partition: 0, offset: 2n },
        { topic: 'l', partition: 1 },
      ],
      { maxBytes: big.length + 100 },
    ),
  );
  t.equal(tail.responses[0]!.partitions[0]!.records!.length, big.length, 'the first partition has one batch left');
  t.equal(tail.responses[0]!.partitions[1]!.records!.length, 100, 'the second gets what is left of maxBytes, cut');
  const hard = await fetchOne(c, 2, { topic: 'l', partitionMaxBytes: 100 });
  t.ok(hard.records!.length <= 100, 'v0-v2 limits are hard');
  c.close();
});

t.test('long polling: a parked fetch wakes on produce; an idle one answers at maxWaitMs', async (t) => {
  const running = await brokerFor(t);
  createTopic(running, 'w');
  const purgatory = running.broker.services.dataPath.fetchPurgatory;
  const consumer = await rawClient(running.port);
  const producer = await rawClient(running.port);

  const waiting = consumer.call(FetchApi, 12, fetchRequest([{ topic: 'w' }], { maxWaitMs: 30_000, minBytes: 1 }));
  await until(() => purgatory.size === 1);
  await produce(producer, 9, 'w', 0, batchOf(['wake']));
  const woken = (await waiting).responses[0]!.partitions[0]!;
  t.same(
    decodeRecordBatches(woken.records!)[0]!.records.map((r) => r.value!.toString()),
    ['wake'],
    'woken with the new data',
  );
  t.equal(purgatory.size, 0);

  const started = Date.now();
  const idle = await fetchOne(consumer, 12, { topic: 'w', offset: 1n }, { maxWaitMs: 50, minBytes: 1 });
  t.ok(Date.now() - started >= 45, 'waited for maxWaitMs');
  t.equal(idle.records!.length, 0, 'empty at the deadline');

  const enough = consumer.call(
    FetchApi,
    12,
    fetchRequest([{ topic: 'w', offset: 1n }], { maxWaitMs: 30_000, minBytes: 200 }),
  );
  await until(() => purgatory.size === 1);
  await produce(producer, 9, 'w', 0, batchOf(['small']));
  t.equal(purgatory.size, 1, 'still parked below minBytes');
  await produce(producer, 9, 'w', 0, batchOf(['y'.repeat(300)]));
  const full = (await enough).responses[0]!.partitions[0]!;
  t.equal(decodeRecordBatches(full.records!).length, 2, 'answered once minBytes is reached');

  consumer.send(
    consumer.frame(FetchApi, 12, fetchRequest([{ topic: 'w', offset: 3n }], { maxWaitMs: 30_000, minBytes: 1 }), 77),
  );
  await until(() => purgatory.size === 1);
  purgatory.close();
  t.equal(new Reader(await consumer.next()).int32(), 77, 'close() answers parked fetches');
  consumer.close();
  producer.close();
});

t.test('read_committed reads up to the last stable offset', async (t) => {
  const running = await brokerFor(t);
  createTopic(running, 'rc');
  const c = await rawClient(running.port);
  await produce(c, 9, 'rc', 0, batchOf(['a']));
  const committed = await fetchOne(c, 12, { topic: 'rc' }, { isolationLevel: 1 });
  t.equal(committed.lastStableOffset, 1n);
  t.same(committed.abortedTransactions, [], 'read_committed gets an (empty) aborted list');
  t.equal(decodeRecordBatches(committed.records!).length, 1);
  const uncommitted = await fetchOne(c, 12, { topic: 'rc' }, { isolationLevel: 0 });
  t.equal(uncommitted.abortedTransactions, null, 'read_uncommitted gets null');
  c.close();
});

t.test('fetch sessions (KIP-227): full then incremental answers with only what changed', async (t) => {
  const running = await brokerFor(t);
  const topicId = createTopic(running, 's', { partitions: 2 });
  const c = await rawClient(running.port);
  await produce(c, 9, 's', 0, batchOf(['a']));
  const full = await c.call(
    FetchApi,
    13,
    fetchRequest(
      [
        { topicId, partition: 0 },
        { topicId, partition: 1 },
      ],
      { sessionId: 0, sessionEpoch: 0 },
    ),
  );
  t.not(full.sessionId, 0, 'a session was created');
  t.equal(full.responses[0]!.partitions.length, 2, 'a full answer lists every partition');
  const sessionId = full.sessionId;

  // Move partition 0 past its record; nothing else changed.
  const inc1 = await c.call(
    FetchApi,
    13,
    fetchRequest([{ topicId, partition: 0, offset: 1n }], { sessionId, sessionEpoch: 1 }),
  );
  t.equal(inc1.sessionId, sessionId);
  t.same(inc1.responses, [], 'no news: empty incremental answer');

  await produce(c, 9, 's', 1, batchOf(['b']));
  const inc2 = await c.call(FetchApi, 13, fetchRequest([], { sessionId, sessionEpoch: 2 }));
  t.equal(inc2.responses.length, 1);
  t.same(
    inc2.responses[0]!.partitions.map((p) => p.partitionIndex),
    [1],
    'only the partition with news',
  );
  t.equal(inc2.responses[0]!.topicId, topicId);

  const parked = c.call(
    FetchApi,
    13,
    fetchRequest([{ topicId, partition: 1, offset: 1n }], {
      sessionId,
      sessionEpoch: 3,
      maxWaitMs: 30_000,
      minBytes: 1,
    }),
  );
  await until(() => running.broker.services.dataPath.fetchPurgatory.size === 1);
  await produce(c, 9, 's', 0, batchOf(['c']));
  const woken = await parked;
  t.same(
    woken.responses[0]!.partitions.map((p) => [p.partitionIndex, p.highWatermark]),
    [[0, 2n]],
    'a parked incremental fetch wakes with the news',
  );

  t.equal(
    (await c.call(FetchApi, 13, fetchRequest([], { sessionId, sessionEpoch: 3 }))).errorCode,
    71,
    'a replayed epoch is refused',
  );
  const closed = await c.call(FetchApi, 13, fetchRequest([{ topicId, partition: 0 }], { sessionId, sessionEpoch: -1 }));
  t.equal(closed.sessionId, 0, 'epoch -1 closes the session');
  t.equal(
    (await c.call(FetchApi, 13, fetchRequest([], { sessionId, sessionEpoch: 5 }))).errorCode,
    70,
    'closed sessions are gone',
  );
  c.close();
});
