/**
 * How long a classic group of N raw-protocol members takes to be Stable again after
 * one member leaves (LeaveGroup). Each member has its own connection and heartbeats
 * every `heartbeatMs`; a heartbeat answered REBALANCE_IN_PROGRESS makes it rejoin
 * (JoinGroup v5, then SyncGroup v3; the leader assigns one partition each in the
 * consumer protocol's format). Measured per trial, from the LeaveGroup to the last
 * remaining member's SyncGroup answer in the new generation, split into detection (until
 * the last member has sent its JoinGroup: bounded by the heartbeat interval, a client
 * setting) and the broker's part (from that JoinGroup to the last SyncGroup answer).
 * What it leaves out: fetches, offset commits on revocation, client-side assignors' cost.
 */
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { JoinGroupApi, type JoinGroupResponse } from '../../protocol/generated/messages/11-join-group.js';
import { HeartbeatApi } from '../../protocol/generated/messages/12-heartbeat.js';
import { LeaveGroupApi } from '../../protocol/generated/messages/13-leave-group.js';
import { SyncGroupApi } from '../../protocol/generated/messages/14-sync-group.js';
import { PipelinedClient } from './pipelined-client.js';

const TOPIC = 'rebalance-bench';

/** ConsumerProtocolSubscription v0: version, [topic], user data (null). */
function subscription(topic: string): Buffer {
  const name = Buffer.from(topic);
  const b = Buffer.alloc(2 + 4 + 2 + name.length + 4);
  let at = b.writeInt16BE(0, 0);
  at = b.writeInt32BE(1, at);
  at = b.writeInt16BE(name.length, at);
  at += name.copy(b, at);
  b.writeInt32BE(-1, at);
  return b;
}

/** ConsumerProtocolAssignment v0: version, [topic, [partition]], user data (null). */
function assignment(topic: string, partitions: number[]): Buffer {
  const name = Buffer.from(topic);
  const b = Buffer.alloc(2 + 4 + 2 + name.length + 4 + 4 * partitions.length + 4);
  let at = b.writeInt16BE(0, 0);
  at = b.writeInt32BE(1, at);
  at = b.writeInt16BE(name.length, at);
  at += name.copy(b, at);
  at = b.writeInt32BE(partitions.length, at);
  for (const p of partitions) at = b.writeInt32BE(p, at);
  b.writeInt32BE(-1, at);
  return b;
}

function assignAll(
  members: JoinGroupResponse['members'],
  partitions: number,
): Array<{ memberId: string; assignment: Buffer }> {
  const ids = members.map((m) => m.memberId).sort();
  return ids.map((memberId, i) => ({
    memberId,
    assignment: assignment(
      TOPIC,
      Array.from({ length: partitions }, (_, p) => p).filter((p) => p % ids.length === i),
    ),
  }));
}

const now = (): number => performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Member {
  memberId = '';
  generation = -1;
  rejoining = false;
  syncedAt = 0;
  lastJoinSentAt = 0;
  heartbeating = false;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly client: PipelinedClient,
    private readonly groupId: string,
    private readonly partitions: number,
  ) {}

  async joinAndSync(): Promise<void> {
    this.rejoining = true;
    for (;;) {
      this.lastJoinSentAt = now();
      const join = await this.client.call(JoinGroupApi, 5, {
        groupId: this.groupId,
        sessionTimeoutMs: 10_000,
        rebalanceTimeoutMs: 10_000,
        memberId: this.memberId,
        groupInstanceId: null,
        protocolType: 'consumer',
        protocols: [{ name: 'range', metadata: subscription(TOPIC) }],
        reason: null,
      });
      if (join.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
        this.memberId = join.memberId;
        continue;
      }
      if (join.errorCode !== 0) throw new Error(`JoinGroup error ${join.errorCode}`);
      this.memberId = join.memberId;
      const assignments = join.leader === this.memberId ? assignAll(join.members, this.partitions) : [];
      const sync = await this.client.call(SyncGroupApi, 3, {
        groupId: this.groupId,
        generationId: join.generationId,
        memberId: this.memberId,
        groupInstanceId: null,
        protocolType: null,
        protocolName: null,
        assignments,
      });
      if (sync.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) continue;
      if (sync.errorCode !== 0) throw new Error(`SyncGroup error ${sync.errorCode}`);
      this.generation = join.generationId;
      this.syncedAt = now();
      this.rejoining = false;
      return;
    }
  }

  startHeartbeats(intervalMs: number): void {
    this.heartbeating = true;
    this.loop = (async () => {
      while (this.heartbeating) {
        await sleep(intervalMs);
        if (!this.heartbeating) return;
        const hb = await this.client.call(HeartbeatApi, 3, {
          groupId: this.groupId,
          generationId: this.generation,
          memberId: this.memberId,
          groupInstanceId: null,
        });
        if (hb.errorCode === ErrorCode.REBALANCE_IN_PROGRESS || hb.errorCode === ErrorCode.ILLEGAL_GENERATION)
          await this.joinAndSync();
        else if (hb.errorCode !== 0) throw new Error(`Heartbeat error ${hb.errorCode}`);
      }
    })();
  }

  async stopHeartbeats(): Promise<void> {
    this.heartbeating = false;
    await this.loop;
  }

  async leave(): Promise<void> {
    const r = await this.client.call(LeaveGroupApi, 3, {
      groupId: this.groupId,
      memberId: '',
      members: [{ memberId: this.memberId, groupInstanceId: null, reason: null }],
    });
    if (r.errorCode !== 0) throw new Error(`LeaveGroup error ${r.errorCode}`);
  }
}

async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = now() + ms;
  while (!condition()) {
    if (now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

export interface RebalanceTrial {
  totalMs: number;
  detectMs: number;
  brokerMs: number;
}

/** One trial: N members join a fresh group, settle, one leaves; returns the times. */
export async function rebalanceTrial(
  port: number,
  groupId: string,
  members: number,
  heartbeatMs: number,
): Promise<RebalanceTrial> {
  const clients = await Promise.all(Array.from({ length: members }, () => PipelinedClient.connect(port)));
  try {
    const group = clients.map((c) => new Member(c, groupId, members));
    // Joins one by one, each settling the group, like consumers started in sequence.
    for (let i = 0; i < group.length; i++) {
      const joining = group[i]!.joinAndSync();
      const others = group.slice(0, i);
      // The members already in heartbeat and rejoin; wait until everyone shares a generation.
      await joining;
      group[i]!.startHeartbeats(heartbeatMs);
      await until(
        () => others.every((m) => !m.rejoining && m.generation === group[i]!.generation),
        20_000,
        `member ${i} settled`,
      );
    }
    const before = group[0]!.generation;
    const leaving = group.pop()!;
    await leaving.stopHeartbeats();
    const start = now();
    await leaving.leave();
    await until(() => group.every((m) => m.generation > before && !m.rejoining), 20_000, 'the group stable again');
    const end = Math.max(...group.map((m) => m.syncedAt));
    const lastJoin = Math.max(...group.map((m) => m.lastJoinSentAt));
    await Promise.all(group.map((m) => m.stopHeartbeats()));
    if (new Set(group.map((m) => m.generation)).size !== 1) throw new Error('members ended in different generations');
    return { totalMs: end - start, detectMs: lastJoin - start, brokerMs: end - lastJoin };
  } finally {
    for (const c of clients) c.close();
  }
}

export const REBALANCE_TOPIC = TOPIC;
