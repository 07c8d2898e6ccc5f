/**
 * Commit throughput of a 3-voter Raft quorum, in process: three RaftNodes with in-memory logs, a
 * manual clock and instant FIFO message delivery. The leader proposes batches of 100-byte records;
 * a record counts once the leader's high watermark passes it and every node has applied it.
 * Measures the consensus core's own cost (no network, no disk): an upper bound for the metadata log.
 * Run: npx tsx bench/raft/commit-throughput.ts [totalRecords]
 */
import { ManualClock } from '../../src/common/clock.js';
import { InMemoryRaftLog } from '../../src/controller/raft/in-memory-raft-log.js';
import { ArrayOutbox } from '../../src/controller/raft/messages.js';
import { InMemoryQuorumStateStore } from '../../src/controller/raft/quorum-state-store.js';
import { RaftNode } from '../../src/controller/raft/raft-node.js';
import type { ReplicatedStateMachine } from '../../src/controller/raft/state-machine.js';
import { SeededRandom } from '../../src/sim/random.js';

class CountingMachine implements ReplicatedStateMachine {
  applied = 0;
  apply(): void {
    this.applied++;
  }
  snapshot(): Buffer {
    return Buffer.alloc(0);
  }
  restore(): void {}
}

interface Result {
  readonly batchSize: number;
  readonly records: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  readonly messages: number;
}

export function measureCommitThroughput(totalRecords: number, batchSize: number): Result {
  const clock = new ManualClock(0);
  const random = new SeededRandom(1);
  const voters = [1, 2, 3];
  const members = voters.map((id) => {
    const outbox = new ArrayOutbox();
    const machine = new CountingMachine();
    const node = new RaftNode({
      nodeId: id,
      voters,
      clusterId: 'bench',
      log: new InMemoryRaftLog(),
      store: new InMemoryQuorumStateStore(),
      stateMachine: machine,
      outbox,
      clock,
      random: { next: () => (id === 1 ? 0 : 0.5 + random.next() / 2) },
    });
    return { id, outbox, machine, node };
  });
  let messages = 0;
  const deliver = (): void => {
    for (let moved = true; moved;) {
      moved = false;
      for (const m of members) {
        for (const out of m.outbox.drain()) {
          moved = true;
          messages++;
          const target = members[out.destination - 1];
          if (!target) continue;
          if (out.kind === 'request') target.node.handleRequest(m.id, out.requestId, out.request);
          else target.node.handleResponse(m.id, out.requestId, out.response);
          target.node.poll();
        }
      }
    }
  };
  while (!members[0]?.node.isLeader()) {
    clock.advance(10);
    for (const m of members) m.node.poll();
    deliver();
  }
  const leader = members[0];
  const payload = Buffer.alloc(100, 7);
  const batch = Array.from({ length: batchSize }, () => payload);
  const start = process.hrtime.bigint();
  let proposed = 0;
  while (members.some((m) => m.machine.applied < totalRecords)) {
    if (proposed < totalRecords) {
      leader.node.propose(batch);
      proposed += batchSize;
    }
    clock.advance(1);
    for (const m of members) m.node.poll();
    deliver();
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { batchSize, records: totalRecords, seconds, recordsPerSecond: Math.round(totalRecords / seconds), messages };
}

const isMain =
  process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop() ?? '');
if (isMain) {
  const total = Number(process.argv[2] ?? 200_000);
  measureCommitThroughput(20_000, 100); // warm-up
  for (const batchSize of [1, 10, 100, 1000]) {
    const records = batchSize === 1 ? Math.min(total, 50_000) : total;
    const r = measureCommitThroughput(records, batchSize);
    console.log(
      `batch ${String(batchSize).padStart(4)}: ${r.recordsPerSecond.toLocaleString('en-US').padStart(10)} records/s ` +
        `(${r.records} records in ${r.seconds.toFixed(2)} s, ${r.messages} messages)`,
    );
  }
}
