/**
 * Issue #14: AlterPartition on the active controller while a fencing or a controlled shutdown is
 * proposed through Raft and not yet committed. Kafka's controller checks each operation against the
 * state all earlier ones left, committed or not (KIP-841): a broker being fenced may not join an ISR
 * (INELIGIBLE_REPLICA), a leader that computed its change from the partition epoch before the
 * fencing's PartitionChangeRecord is refused (INVALID_UPDATE_VERSION), and a controlled shutdown
 * computed after an ISR expansion that is still in flight takes the broker out of that ISR too.
 * The quorum here holds every proposal until the test commits it, so each interleaving is exact;
 * after everything commits, no ISR holds a fenced broker or one in controlled shutdown.
 */
import t from 'tap';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { AlterPartitionRequest } from '../../protocol/generated/messages/56-alter-partition.js';
import { defaultRegisterBrokerRecord } from '../../protocol/generated/records/metadata/RegisterBrokerRecord.js';
import { defaultPartitionRecord } from '../../protocol/generated/records/metadata/PartitionRecord.js';
import { ManualClock } from '../common/clock.js';
import { createLogger } from '../common/logger.js';
import { MetadataController } from '../metadata/controller.js';
import { MemoryMetadataLog } from '../metadata/metadata-log.js';
import type { MetadataQuorumPort } from '../metadata/quorum-port.js';
import { applyAlterPartition } from './alter-partition.js';
import { BrokerHeartbeats } from './broker-heartbeats.js';

const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';
const SESSION_MS = 9_000;

/** A quorum whose proposals wait, in order, until the test commits them. */
class HeldQuorum implements MetadataQuorumPort {
  readonly proposals: Array<{ payloads: readonly Buffer[]; resolve: () => void }> = [];
  private endOffset: number;
  constructor(private readonly controller: MetadataController) {
    this.endOffset = controller.image.lastAppliedOffset + 1;
  }
  isLeader(): boolean {
    return true;
  }
  leaderId(): number {
    return 1;
  }
  lastProposedOffset(): number {
    return this.endOffset - 1;
  }
  propose(payloads: readonly Buffer[]): Promise<void> {
    const first = this.endOffset;
    this.endOffset += payloads.length;
    return new Promise((resolve) =>
      this.proposals.push({
        payloads,
        resolve: () => {
          payloads.forEach((p, i) => this.controller.applyCommitted(p, first + i));
          resolve();
        },
      }),
    );
  }
  async commitAll(): Promise<void> {
    while (this.proposals.length > 0) {
      this.proposals.shift()!.resolve();
      await settle();
    }
  }
}

function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function setUp(isr: number[]) {
  const c = new MetadataController(new MemoryMetadataLog());
  for (const brokerId of [1, 2, 3])
    c.commit([{ type: 'RegisterBrokerRecord', data: { ...defaultRegisterBrokerRecord(), brokerId, fenced: false } }]);
  c.commit([
    { type: 'TopicRecord', data: { name: 't', topicId: TOPIC_ID } },
    {
      type: 'PartitionRecord',
      data: {
        ...defaultPartitionRecord(),
        topicId: TOPIC_ID,
        partitionId: 0,
        replicas: [1, 2, 3],
        isr,
        leader: 1,
        leaderEpoch: 0,
        partitionEpoch: 0,
      },
    },
  ]);
  const quorum = new HeldQuorum(c);
  c.attachQuorum(quorum);
  const clock = new ManualClock(0);
  const heartbeats = new BrokerHeartbeats(c, 'cluster', clock, SESSION_MS, createLogger({ level: 'silent' }));
  return { c, quorum, clock, heartbeats };
}

function request(newIsr: number[], partitionEpoch = 0): AlterPartitionRequest {
  return {
    brokerId: 1,
    // Broker 1's registration (RegisterBrokerRecord's default epoch).
    brokerEpoch: 0n,
    topics: [
      {
        topicName: '',
        topicId: TOPIC_ID,
        partitions: [
          {
            partitionIndex: 0,
            leaderEpoch: 0,
            newIsr: [],
            newIsrWithEpochs: newIsr.map((brokerId) => ({ brokerId, brokerEpoch: -1n })),
            leaderRecoveryState: 0,
            partitionEpoch,
          },
        ],
      },
    ],
  };
}

function alter(s: ReturnType<typeof setUp>, newIsr: number[], partitionEpoch = 0) {
  return applyAlterPartition(s.c, request(newIsr, partitionEpoch), 3);
}

/** The session of broker 3 expires (1 and 2 heartbeat); tick() proposes its fencing. */
async function fenceBroker3(s: ReturnType<typeof setUp>): Promise<void> {
  s.heartbeats.tick();
  s.clock.advance(SESSION_MS + 1);
  for (const id of [1, 2]) await s.heartbeats.heartbeat(id, 0n);
  s.heartbeats.tick();
  await settle();
}

/** Every partition's ISR holds only registered, unfenced brokers that are not shutting down. */
function ineligibleInIsr(c: MetadataController): string[] {
  const found: string[] = [];
  for (const topic of c.image.topicsById.values())
    for (const p of topic.partitions.values())
      for (const r of p.isr) {
        const b = c.image.brokers.get(r);
        if (p.isr.length > 1 && (!b || b.fenced || b.inControlledShutdown))
          found.push(`${topic.name}-${p.partition} ISR ${p.isr.join(',')} holds ${r}`);
      }
  return found;
}

t.test('a broker whose fencing is in flight may not join an ISR: INELIGIBLE_REPLICA', async (t) => {
  const s = setUp([1, 2]);
  await fenceBroker3(s);
  t.equal(s.quorum.proposals.length, 1, 'the fencing of broker 3 is proposed, not committed');
  const answer = alter(s, [1, 2, 3]);
  await settle();
  await s.quorum.commitAll();
  const partition = (await answer).topics[0]!.partitions[0]!;
  t.equal(partition.errorCode, ErrorCode.INELIGIBLE_REPLICA);
  t.same(ineligibleInIsr(s.c), [], 'no fenced broker in an ISR once everything committed');
  t.same(s.c.image.topicsById.get(TOPIC_ID)!.partitions.get(0)!.isr, [1, 2]);
});

t.test('an ISR change from the partition epoch before a fencing in flight: INVALID_UPDATE_VERSION', async (t) => {
  const s = setUp([1, 2, 3]);
  await fenceBroker3(s);
  t.equal(s.quorum.proposals.length, 1, 'the fencing (ISR 1,2) is proposed, not committed');
  // The leader drops lagging broker 2, from the partition epoch it knows (0).
  const answer = alter(s, [1, 3], 0);
  await settle();
  await s.quorum.commitAll();
  const partition = (await answer).topics[0]!.partitions[0]!;
  t.equal(partition.errorCode, ErrorCode.INVALID_UPDATE_VERSION);
  t.same(ineligibleInIsr(s.c), [], 'no fenced broker in an ISR once everything committed');
  t.same(s.c.image.topicsById.get(TOPIC_ID)!.partitions.get(0)!.isr, [1, 2]);
});

t.test('a controlled shutdown after an ISR expansion in flight takes the broker out of it', async (t) => {
  const s = setUp([1, 2]);
  const expansion = alter(s, [1, 2, 3]);
  await settle();
  t.equal(s.quorum.proposals.length, 1, 'the expansion (ISR 1,2,3) is proposed, not committed');
  const shutdown = s.heartbeats.heartbeat(3, 0n, { wantShutDown: true, currentMetadataOffset: -1 });
  await settle();
  await s.quorum.commitAll();
  t.equal((await expansion).topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE, 'the expansion itself was valid');
  t.equal((await shutdown).shouldShutDown, false, 'broker 3 waits for its metadata to catch up');
  t.ok(s.c.image.brokers.get(3)!.inControlledShutdown);
  t.same(ineligibleInIsr(s.c), [], 'no broker in controlled shutdown in an ISR');
  t.same(s.c.image.topicsById.get(TOPIC_ID)!.partitions.get(0)!.isr, [1, 2]);
});
