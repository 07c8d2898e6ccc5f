/**
 * Follower fetch loops against a fake leader that keeps a real fetch-session cache and reads with
 * the real read path (broker/fetch.ts): partitions spread over `num.replica.fetchers` loops by
 * Kafka's hash; a full fetch first, then incremental fetches with only changed partitions; the
 * configured sizes on the wire; a restarted leader (session unknown) answered by a full fetch at
 * once; a resize moves partitions between loops and loses nothing.
 */
import t from 'tap';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import {
  defaultFetchResponse,
  defaultFetchResponsePartitionData,
  type FetchRequest,
  type FetchResponse,
} from '../../protocol/generated/messages/01-fetch.js';
import { batchOf } from '../../test/helpers/data-path.js';
import { createLogger } from '../common/logger.js';
import type { PartitionState, TopicImage } from '../metadata/image.js';
import { readPartitions } from './fetch.js';
import { FetchSession, FetchSessionCache } from './fetch-sessions.js';
import { MemoryPartitionLog } from './memory-log.js';
import { Partition } from './partition.js';
import { ReplicaFetcherManager, fetcherIdFor } from './replica-fetcher.js';

const TOPIC = 'foo';
const state = (partition: number): PartitionState => ({
  partition,
  leader: 1,
  leaderEpoch: 0,
  partitionEpoch: 0,
  replicas: [1, 2],
  isr: [1],
});

/** Broker 1: leads `count` partitions of TOPIC and answers fetches as the Fetch handler does. */
class FakeLeader {
  readonly topic: TopicImage = {
    name: TOPIC,
    topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
    partitions: new Map(),
    configs: new Map(),
  };
  readonly partitions: Partition[] = [];
  cache = new FetchSessionCache(10, () => this.nextId++);
  private nextId = 100;

  constructor(count: number) {
    for (let i = 0; i < count; i++) {
      this.topic.partitions.set(i, state(i));
      this.partitions.push(new Partition(TOPIC, this.topic.topicId, i, state(i), new MemoryPartitionLog(), 1));
    }
  }

  answer(request: FetchRequest): FetchResponse {
    const wanted = request.topics.flatMap((tp) =>
      tp.partitions.map((p) => ({
        topic: '',
        topicId: tp.topicId,
        partition: p.partition,
        fetchOffset: Number(p.fetchOffset),
        partitionMaxBytes: p.partitionMaxBytes,
        currentLeaderEpoch: p.currentLeaderEpoch,
        lastFetchedEpoch: p.lastFetchedEpoch,
      })),
    );
    const forgotten = request.forgottenTopicsData.flatMap((f) =>
      f.partitions.map((partition) => ({ topic: '', topicId: f.topicId, partition })),
    );
    const context = this.cache.newContext(
      {
        sessionId: request.sessionId,
        sessionEpoch: request.sessionEpoch,
        usesTopicIds: true,
        partitions: wanted,
        forgotten,
      },
      0,
    );
    if (context.kind === 'error') return { ...defaultFetchResponse(), errorCode: context.errorCode };
    const incremental = context.kind === 'incremental';
    const targets = incremental ? [...context.session.partitions.values()] : wanted;
    const results = readPartitions(
      {
        apiVersion: 17,
        replicaId: request.replicaState.replicaId,
        maxBytes: request.maxBytes,
        isolationLevel: 0,
        now: 0,
      },
      targets.map((target) => ({
        lookup: { ok: true as const, topic: this.topic, partition: this.partitions[target.partition]! },
        fetchOffset: target.fetchOffset,
        partitionMaxBytes: target.partitionMaxBytes,
        currentLeaderEpoch: target.currentLeaderEpoch,
        lastFetchedEpoch: target.lastFetchedEpoch ?? -1,
      })),
    );
    const partitions = targets.flatMap((target, i) => {
      const r = results[i]!;
      const session = context.session;
      const news = { ...r, recordBytes: r.records.length, diverging: r.divergingEpoch !== undefined };
      if (session && !session.noteAnswer(FetchSession.key(target, true), news, incremental)) return [];
      return [
        {
          ...defaultFetchResponsePartitionData(),
          partitionIndex: target.partition,
          errorCode: r.errorCode,
          highWatermark: BigInt(r.highWatermark),
          records: r.records,
        },
      ];
    });
    return {
      ...defaultFetchResponse(),
      sessionId: context.session?.id ?? 0,
      responses: partitions.length ? [{ topic: '', topicId: this.topic.topicId, partitions }] : [],
    };
  }
}

interface Pending {
  request: FetchRequest;
  resolve: (r: FetchResponse) => void;
}

/** Broker 2: follows every partition of the leader through a fetcher manager whose requests the test answers one by one. */
function follower(leader: FakeLeader, numFetchers: number) {
  const pending: Pending[] = [];
  const partitions = leader.partitions.map(
    (p) => new Partition(TOPIC, leader.topic.topicId, p.index, state(p.index), new MemoryPartitionLog(), 2),
  );
  const manager = new ReplicaFetcherManager({
    brokerId: 2,
    brokerEpoch: () => 12n,
    transport: (_leaderId, request) => new Promise((resolve) => pending.push({ request, resolve })),
    schedule: (_ms, fire) => {
      const timer = setImmediate(fire);
      return () => clearImmediate(timer);
    },
    maxWaitMs: 500,
    minBytes: 1,
    maxBytes: 4096,
    responseMaxBytes: 65536,
    backoffMs: 1000,
    numFetchers,
    logger: createLogger({ level: 'silent', pretty: false }),
  });
  for (const p of partitions) manager.update(p);
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  /** Answers every request waiting now with the fake leader; returns them. */
  const answerAll = async (): Promise<FetchRequest[]> => {
    await settle();
    const now = pending.splice(0);
    for (const p of now) p.resolve(leader.answer(p.request));
    await settle();
    return now.map((p) => p.request);
  };
  return { pending, partitions, manager, answerAll, settle };
}

const asked = (r: FetchRequest): number[] => r.topics.flatMap((tp) => tp.partitions.map((p) => p.partition)).sort();

t.test("fetcher ids follow Kafka's getFetcherId hash", async (t) => {
  // Utils.abs(31 * topic.hashCode() + partition) % 3, worked out from Java's String.hashCode.
  t.same(
    [0, 1, 2, 3, 4, 5].map((p) => fetcherIdFor('foo', p, 3)),
    [0, 1, 2, 0, 1, 2],
  );
  t.same(
    [0, 1, 2, 3, 4, 5].map((p) => fetcherIdFor('orders', p, 3)),
    [2, 1, 0, 2, 1, 0],
    'a negative hash',
  );
  t.same(
    [0, 1, 2].map((p) => fetcherIdFor('payments', p, 3)),
    [2, 1, 0],
  );
  t.equal(fetcherIdFor('orders', 4, 1), 0, 'one fetcher: always 0');
});

t.test('partitions spread over num.replica.fetchers loops, each with its own session', async (t) => {
  const leader = new FakeLeader(6);
  const f = follower(leader, 3);
  t.teardown(() => f.manager.close());
  t.equal(f.manager.fetchLoops().length, 3);
  t.same(
    f.partitions.map((p) => f.manager.loopOf(p)?.fetcherId),
    [0, 1, 2, 0, 1, 2],
  );
  const first = await f.answerAll();
  t.equal(first.length, 3, 'one request per loop');
  t.same(first.map(asked).sort(), [
    [0, 3],
    [1, 4],
    [2, 5],
  ]);
  for (const r of first) {
    t.same([r.sessionId, r.sessionEpoch], [0, 0], 'full fetch asking for a session');
    t.same(
      r.replicaState,
      { replicaId: 2, replicaEpoch: 12n },
      'the replica id and broker epoch in ReplicaState (v15+)',
    );
    t.equal(r.replicaId, -1, 'no top-level replica id from v15');
    t.ok(
      r.topics.every((tp) => tp.topicId === leader.topic.topicId),
      'topics named by id (v13+)',
    );
    t.equal(r.maxBytes, 65536, 'replica.fetch.response.max.bytes');
    t.equal(r.maxWaitMs, 500, 'replica.fetch.wait.max.ms');
    t.ok(
      r.topics[0]!.partitions.every((p) => p.partitionMaxBytes === 4096),
      'replica.fetch.max.bytes',
    );
  }
  t.equal(leader.cache.size, 3, 'three sessions on the leader');
});

t.test('after the full fetch only changed partitions travel, and the follower catches up', async (t) => {
  const leader = new FakeLeader(4);
  const f = follower(leader, 1);
  t.teardown(() => f.manager.close());
  const full = await f.answerAll();
  t.same(full.map(asked), [[0, 1, 2, 3]]);
  const idle = await f.answerAll();
  t.same([idle[0]!.sessionEpoch, asked(idle[0]!)], [1, []], 'incremental, nothing to send');

  leader.partitions[2]!.appendAsLeader(batchOf(['a', 'b', 'c']));
  await f.answerAll(); // answers the parked request: only partition 2 has news
  t.equal(f.partitions[2]!.log.logEndOffset, 3, 'partition 2 replicated');
  const next = await f.answerAll();
  t.same(asked(next[0]!), [2], 'only partition 2, whose fetch offset moved');
  t.equal(next[0]!.topics[0]!.partitions[0]!.fetchOffset, 3n);
  t.equal(leader.partitions[2]!.followerPosition(2)?.logEndOffset, 3, 'the leader saw the new position');
  for (const p of [0, 1, 3]) t.equal(f.partitions[p]!.log.logEndOffset, 0);

  leader.partitions[0]!.appendAsLeader(batchOf(['x']));
  await f.answerAll();
  t.equal(f.partitions[0]!.log.logEndOffset, 1, 'an implied partition still gets its records');
});

t.test('a leader that lost the session gets a full fetch at once, without backoff', async (t) => {
  const leader = new FakeLeader(2);
  const f = follower(leader, 1);
  t.teardown(() => f.manager.close());
  await f.answerAll();
  leader.cache = new FetchSessionCache(10, () => 500);
  const lost = await f.answerAll();
  t.same([lost[0]!.sessionId, lost[0]!.sessionEpoch], [100, 1]);
  t.equal(f.pending.length, 1, 'the next request is already out (no backoff)');
  const retry = f.pending[0]!.request;
  t.same([retry.sessionId, retry.sessionEpoch, asked(retry)], [0, 0, [0, 1]], 'a full fetch, new session');
  t.equal(leader.answer(retry).errorCode, ErrorCode.NONE);
});

t.test('a resize moves partitions between loops and replication carries on', async (t) => {
  const leader = new FakeLeader(6);
  const f = follower(leader, 1);
  t.teardown(() => f.manager.close());
  await f.answerAll();
  f.manager.resize(3);
  t.same(
    f.partitions.map((p) => f.manager.loopOf(p)?.fetcherId),
    [0, 1, 2, 0, 1, 2],
  );
  for (const p of leader.partitions) p.appendAsLeader(batchOf([`v${p.index}`]));
  // The old loop's parked request and the new loops' full fetches.
  for (let round = 0; round < 4; round++) await f.answerAll();
  t.same(
    f.partitions.map((p) => p.log.logEndOffset),
    [1, 1, 1, 1, 1, 1],
    'every partition replicated after the move',
  );
  f.manager.resize(1);
  t.equal(f.manager.fetchLoops().length, 1, 'loops beyond the new count are stopped');
  t.same(new Set(f.partitions.map((p) => f.manager.loopOf(p)?.fetcherId)), new Set([0]));
});
