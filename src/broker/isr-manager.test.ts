/**
 * The leader's answers to AlterPartition refusals, as Kafka's Partition and AlterPartitionManager:
 * a follower its metadata lists as fenced or shutting down is never proposed; after
 * INVALID_UPDATE_VERSION (and the other "stale metadata" refusals) nothing is proposed until the
 * partition's metadata moves on; INELIGIBLE_REPLICA resets the ISR to the metadata's and a later
 * fetch may try again; a top-level error or a lost answer keeps the joining follower counted and
 * retries no sooner than 50 ms later. No refusal makes the leader send again at every fetch.
 * KIP-903: a follower whose fetches carry another broker epoch than its registration is not
 * proposed, and each member goes to the controller with the epoch of its last fetch.
 */
import t from 'tap';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type {
  AlterPartitionRequest,
  AlterPartitionResponse,
} from '../../protocol/generated/messages/56-alter-partition.js';
import { createLogger } from '../common/logger.js';
import type { PartitionState } from '../metadata/image.js';
import { ALTER_PARTITION_RETRY_MS, IsrManager } from './isr-manager.js';
import { MemoryPartitionLog } from './memory-log.js';
import { Partition } from './partition.js';
import { batchOf } from '../../test/helpers/data-path.js';

const state = (over: Partial<PartitionState> = {}): PartitionState => ({
  partition: 0,
  leader: 1,
  leaderEpoch: 3,
  partitionEpoch: 7,
  replicas: [1, 2, 3],
  isr: [1, 2],
  ...over,
});

function answer(partitionCode: number, topLevel: number = ErrorCode.NONE): AlterPartitionResponse {
  return {
    throttleTimeMs: 0,
    errorCode: topLevel,
    topics: [
      {
        topicName: '',
        topicId: 'id',
        partitions: [
          {
            partitionIndex: 0,
            errorCode: partitionCode,
            leaderId: -1,
            leaderEpoch: -1,
            isr: [],
            leaderRecoveryState: 0,
            partitionEpoch: -1,
          },
        ],
      },
    ],
  };
}

function setUp() {
  const p = new Partition('t', 'id', 0, state(), new MemoryPartitionLog(), 1);
  p.appendAsLeader(batchOf(['a', 'b']));
  const sent: AlterPartitionRequest[] = [];
  const clock = { now: 1_000 };
  const env = {
    eligible: true,
    reply: answer(ErrorCode.NONE) as AlterPartitionResponse | Error,
    registered: new Map<number, bigint>([
      [1, 5n],
      [2, 20n],
      [3, 30n],
    ]),
    fetchEpoch3: 30n,
  };
  const isr = new IsrManager({
    brokerId: 1,
    brokerEpoch: () => 5n,
    aliveBrokerEpoch: (id) => env.registered.get(id),
    send: (request) => {
      sent.push(request);
      return env.reply instanceof Error ? Promise.reject(env.reply) : Promise.resolve(env.reply);
    },
    now: () => clock.now,
    replicaLagTimeMaxMs: 30_000,
    isEligible: (id) => id !== 3 || env.eligible,
    logger: createLogger({ level: 'silent' }),
  });
  p.recordFollowerFetch(2, 2, clock.now, -1, 20n);
  /** Broker 3 fetches up to the log end; the leader looks at adding it. */
  const fetch3 = async (): Promise<void> => {
    p.recordFollowerFetch(3, p.log.logEndOffset, clock.now, -1, env.fetchEpoch3);
    isr.maybeExpand(p, 3);
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { p, sent, clock, env, fetch3 };
}

t.test('a follower the metadata lists as fenced or shutting down is not proposed', async (t) => {
  const s = setUp();
  s.env.eligible = false;
  await s.fetch3();
  await s.fetch3();
  t.equal(s.sent.length, 0, 'no AlterPartition');
  s.env.eligible = true;
  await s.fetch3();
  t.same(
    s.sent[0]?.topics[0]?.partitions[0]?.newIsrWithEpochs.map((m) => m.brokerId),
    [1, 2, 3],
    'proposed once eligible',
  );
});

t.test('INVALID_UPDATE_VERSION: nothing more until the partition metadata moves on', async (t) => {
  const s = setUp();
  s.env.reply = answer(ErrorCode.INVALID_UPDATE_VERSION);
  await s.fetch3();
  await s.fetch3();
  s.clock.now += 10_000;
  await s.fetch3();
  t.equal(s.sent.length, 1, 'one AlterPartition for fetches at the same partition epoch');
  s.env.reply = answer(ErrorCode.NONE);
  s.p.state = state({ partitionEpoch: 8 });
  await s.fetch3();
  t.equal(s.sent.length, 2, 'proposed again from the new partition epoch');
  t.equal(s.sent[1]?.topics[0]?.partitions[0]?.partitionEpoch, 8);
});

t.test('INELIGIBLE_REPLICA: the ISR is the metadata one again; a later fetch may propose again', async (t) => {
  const s = setUp();
  s.env.reply = answer(ErrorCode.INELIGIBLE_REPLICA);
  await s.fetch3();
  s.p.appendAsLeader(batchOf(['c']));
  s.p.recordFollowerFetch(2, 3, s.clock.now);
  t.equal(s.p.highWatermark, 3, 'broker 3 no longer holds the high watermark back');
  await s.fetch3();
  t.equal(s.sent.length, 2);
});

t.test('a top-level error or a lost answer: retried after 50 ms, the joiner still counted', async (t) => {
  const s = setUp();
  s.env.reply = answer(ErrorCode.NONE, ErrorCode.NOT_CONTROLLER);
  await s.fetch3();
  await s.fetch3();
  t.equal(s.sent.length, 1, 'not sent again at once');
  s.p.appendAsLeader(batchOf(['c']));
  s.p.recordFollowerFetch(2, 3, s.clock.now);
  t.equal(s.p.highWatermark, 2, 'broker 3 may be in the ISR already: it still counts');
  s.clock.now += ALTER_PARTITION_RETRY_MS;
  s.env.reply = new Error('connection reset');
  await s.fetch3();
  t.equal(s.sent.length, 2, 'sent again after 50 ms');
  await s.fetch3();
  t.equal(s.sent.length, 2, 'a lost answer: not at once either');
  s.clock.now += ALTER_PARTITION_RETRY_MS;
  await s.fetch3();
  t.equal(s.sent.length, 3);
});

t.test(
  'KIP-903: broker epochs from the fetches go with the members; a stale or unknown one is not proposed',
  async (t) => {
    const s = setUp();
    s.env.fetchEpoch3 = 29n;
    await s.fetch3();
    t.equal(s.sent.length, 0, 'fetches from an older registration of broker 3: not proposed');
    s.env.registered.delete(3);
    s.env.fetchEpoch3 = 30n;
    await s.fetch3();
    t.equal(s.sent.length, 0, 'broker 3 not registered (or fenced) in the metadata: not proposed');
    s.env.registered.set(3, 30n);
    await s.fetch3();
    t.same(
      s.sent[0]?.topics[0]?.partitions[0]?.newIsrWithEpochs,
      [
        { brokerId: 1, brokerEpoch: 5n },
        { brokerId: 2, brokerEpoch: 20n },
        { brokerId: 3, brokerEpoch: 30n },
      ],
      'the leader with its own epoch, the followers with their fetches',
    );
  },
);

t.test('KIP-903: a follower that sends no epoch (-1) is proposed with -1', async (t) => {
  const s = setUp();
  s.env.fetchEpoch3 = -1n;
  await s.fetch3();
  t.same(
    s.sent[0]?.topics[0]?.partitions[0]?.newIsrWithEpochs.map((m) => m.brokerEpoch),
    [5n, 20n, -1n],
  );
});

t.test(
  'a follower outside the ISR that caught up within replica.lag.time.max.ms holds the high watermark (Kafka shouldWaitForReplicaToJoinIsr)',
  async (t) => {
    const clock = { now: 1_000 };
    const eligible = new Set([2, 3]);
    const p = new Partition('t', 'id', 0, state({ isr: [1] }), new MemoryPartitionLog(), 1);
    const isr = new IsrManager({
      brokerId: 1,
      brokerEpoch: () => 5n,
      aliveBrokerEpoch: (id) => (eligible.has(id) ? BigInt(id * 10) : undefined),
      send: () => Promise.resolve(answer(ErrorCode.NONE)),
      now: () => clock.now,
      replicaLagTimeMaxMs: 30_000,
      isEligible: (id) => eligible.has(id),
      logger: createLogger({ level: 'silent' }),
    });
    p.joiningFollowerHolds = (partition, replicaId, position) => isr.holdsHighWatermark(partition, replicaId, position);
    p.appendAsLeader(batchOf(['a', 'b']));
    t.equal(p.highWatermark, 2, 'the leader alone in sync');
    p.recordFollowerFetch(3, 2, clock.now, -1, 30n);
    p.recordFollowerFetch(2, 0, clock.now, -1, 20n);
    p.appendAsLeader(batchOf(['c']));
    t.equal(p.highWatermark, 2, 'broker 3 caught up at 1000: the new record waits for it');
    clock.now += 10;
    p.recordFollowerFetch(3, 3, clock.now, -1, 30n);
    t.equal(p.highWatermark, 3, 'broker 3 fetched it; broker 2 never caught up and holds nothing');
    p.appendAsLeader(batchOf(['d']));
    t.equal(p.highWatermark, 3);
    clock.now += 30_000;
    isr.maybeShrink(p);
    t.equal(p.highWatermark, 3, 'still within replica.lag.time.max.ms of its last catch-up');
    clock.now += 1;
    isr.maybeShrink(p);
    t.equal(p.highWatermark, 4, 'broker 3 has not caught up for longer: it no longer holds it');
    p.recordFollowerFetch(3, 4, clock.now, -1, 30n);
    p.appendAsLeader(batchOf(['e']));
    t.equal(p.highWatermark, 4, 'caught up again: it holds it again');
    eligible.delete(3);
    isr.maybeShrink(p);
    t.equal(p.highWatermark, 5, 'a fenced follower does not hold it');
    eligible.add(3);
    p.recordFollowerFetch(3, 5, clock.now, -1, 29n);
    p.appendAsLeader(batchOf(['f']));
    t.equal(p.highWatermark, 6, 'fetches from an older registration (broker epoch) do not hold it');
  },
);

t.test(
  'a follower joins only once it has the log the leader had when its epoch began (Kafka isFollowerInSync)',
  async (t) => {
    const sent: AlterPartitionRequest[] = [];
    const p = new Partition('t', 'id', 0, state({ isr: [1, 2] }), new MemoryPartitionLog(), 1);
    const isr = new IsrManager({
      brokerId: 1,
      brokerEpoch: () => 5n,
      aliveBrokerEpoch: (id) => BigInt(id * 10),
      send: (request) => {
        sent.push(request);
        return Promise.resolve(answer(ErrorCode.NONE));
      },
      now: () => 1_000,
      replicaLagTimeMaxMs: 30_000,
      isEligible: () => true,
      logger: createLogger({ level: 'silent' }),
    });
    p.appendAsLeader(batchOf(['a', 'b', 'c']));
    p.recordFollowerFetch(2, 1, 1_000, -1, 20n);
    t.equal(p.highWatermark, 1);
    // Re-elected at a new epoch with its high watermark behind its log end.
    p.state = state({ isr: [1, 2], leaderEpoch: 4, partitionEpoch: 8 });
    t.equal(p.leaderEpochStartOffset, 3);
    p.recordFollowerFetch(3, 1, 1_000, -1, 30n);
    isr.maybeExpand(p, 3);
    t.equal(sent.length, 0, 'at the high watermark but short of offset 3: not proposed');
    p.recordFollowerFetch(3, 3, 1_000, -1, 30n);
    isr.maybeExpand(p, 3);
    t.same(
      sent[0]?.topics[0]?.partitions[0]?.newIsrWithEpochs.map((m) => m.brokerId),
      [1, 2, 3],
      'proposed once it has the leader epoch start offset',
    );
  },
);
