/**
 * Fetch sessions (KIP-227) with raw Fetch requests, after Kafka 3.9's FetchManager.newContext and its
 * FetchContexts (core/src/main/scala/kafka/server/FetchSession.scala):
 * - the epoch moves on when an incremental fetch is taken, whatever its answer carries: a partition
 *   error (OFFSET_OUT_OF_RANGE here) answers with no top-level error, so the client must send the next
 *   epoch; the same epoch again gets INVALID_FETCH_SESSION_EPOCH, which leaves the session usable.
 *   (@platformatic/kafka 2.12's Consumer.fetch() keeps its epoch after such an answer, so its next fetch
 *   gets INVALID_FETCH_SESSION_EPOCH on Kafka as on Gregor; it then drops its session and, with retries,
 *   fetches in full again. Kafka's Java client moves its epoch on, FetchSessionHandler.handleResponse.)
 * - session id 0 with an epoch above 0 names no session: FETCH_SESSION_ID_NOT_FOUND;
 * - switching between names and topic ids gets FETCH_SESSION_TOPIC_ID_ERROR and leaves the session;
 * - an incremental fetch that forgets every partition closes the session and is answered sessionless;
 * - a throttled full fetch creates no session (FullFetchContext creates it with the answer).
 * Gregor answered INVALID_FETCH_SESSION_EPOCH for session id 0, dropped the session on a topic-id
 * switch, kept an emptied session, and kept a session for a throttled full fetch.
 */
import t from 'tap';
import { brokerFor } from '../../test/helpers/broker.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { createTopic } from '../../test/helpers/topics.js';
import { batchOf, fetchRequest, produce } from '../../test/helpers/data-path.js';
import { FetchApi, type FetchRequest } from '../../protocol/generated/messages/01-fetch.js';
import { AlterClientQuotasApi } from '../../protocol/generated/messages/49-alter-client-quotas.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';

const { NONE, OFFSET_OUT_OF_RANGE, INVALID_FETCH_SESSION_EPOCH, FETCH_SESSION_ID_NOT_FOUND } = ErrorCode;

t.test('epochs, session errors and closing, as Kafka', async (t) => {
  const running = await brokerFor(t);
  const topicId = createTopic(running, 's');
  const c = await rawClient(running.port);
  t.teardown(() => c.close());
  await produce(c, 9, 's', 0, batchOf(['a', 'b']));
  const sessions = running.broker.services.dataPath.fetchSessions;
  const at = (v: number, offset: bigint, overrides: Partial<FetchRequest>) =>
    c.call(FetchApi, v, fetchRequest([v >= 13 ? { topicId, offset } : { topic: 's', offset }], overrides));

  const full = await at(12, 0n, { sessionId: 0, sessionEpoch: 0 });
  const id = full.sessionId;
  t.not(id, 0, 'a full fetch with epoch 0 opens a session');
  const failed = await at(12, 100n, { sessionId: id, sessionEpoch: 1 });
  t.same(
    [failed.errorCode, failed.sessionId, failed.responses[0]?.partitions[0]?.errorCode],
    [NONE, id, OFFSET_OUT_OF_RANGE],
    'a partition error is no session error',
  );
  t.equal(
    (await at(12, 0n, { sessionId: id, sessionEpoch: 1 })).errorCode,
    INVALID_FETCH_SESSION_EPOCH,
    'epoch 1 is spent',
  );
  const next = await at(12, 0n, { sessionId: id, sessionEpoch: 2 });
  t.same([next.errorCode, next.sessionId], [NONE, id], 'epoch 2 goes on: the session outlived both errors');

  t.equal(
    (await at(12, 0n, { sessionId: 0, sessionEpoch: 3 })).errorCode,
    FETCH_SESSION_ID_NOT_FOUND,
    'session id 0 with an epoch above 0 names no session',
  );

  t.equal(
    (await at(13, 0n, { sessionId: id, sessionEpoch: 3 })).errorCode,
    ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR,
    'topic ids in a session by name',
  );
  const kept = await at(12, 0n, { sessionId: id, sessionEpoch: 3 });
  t.same([kept.errorCode, kept.sessionId], [NONE, id], 'the session is still there, at the same epoch');

  const forgetAll = await c.call(FetchApi, 12, {
    ...fetchRequest([], { sessionId: id, sessionEpoch: 4 }),
    forgottenTopicsData: [{ topic: 's', topicId: '', partitions: [0] }],
  });
  t.same([forgetAll.errorCode, forgetAll.sessionId], [NONE, 0], 'forgetting every partition: answered sessionless');
  t.equal(sessions.get(id), undefined, 'and the session is closed');
  t.equal((await at(12, 0n, { sessionId: id, sessionEpoch: 5 })).errorCode, FETCH_SESSION_ID_NOT_FOUND);
});

t.test('a throttled full fetch opens no session', async (t) => {
  // Two 1 s windows and a quota just under one batch: the first fetch is throttled for a short while.
  const running = await brokerFor(t, { config: { 'quota.window.num': '2', 'quota.window.size.seconds': '1' } });
  createTopic(running, 'q');
  const c = await rawClient(running.port, 'slow-reader');
  t.teardown(() => c.close());
  await produce(c, 9, 'q', 0, batchOf(['x'.repeat(4000)]));
  const set = await c.call(AlterClientQuotasApi, 1, {
    entries: [
      {
        entity: [{ entityType: 'client-id', entityName: 'slow-reader' }],
        ops: [{ key: 'consumer_byte_rate', value: 3000, remove: false }],
      },
    ],
    validateOnly: false,
  });
  t.equal(set.entries[0]!.errorCode, NONE);
  const sessions = running.broker.services.dataPath.fetchSessions;
  const full = () =>
    c.call(FetchApi, 12, fetchRequest([{ topic: 'q', offset: 0n }], { sessionId: 0, sessionEpoch: 0 }));
  const throttled = await full();
  t.ok(throttled.throttleTimeMs > 0, `the fetch is throttled (${throttled.throttleTimeMs} ms)`);
  t.same([throttled.sessionId, throttled.responses], [0, []], 'with no data and no session');
  t.equal(sessions.size, 0, 'nor one kept in the cache');
});
