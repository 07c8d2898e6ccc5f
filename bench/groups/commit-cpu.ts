/**
 * CPU per offset commit inside the broker, without sockets or a second process: a broker
 * in this process, its Dispatcher fed pre-encoded OffsetCommit v8 frames (1,000 simple
 * groups, 4 partitions each) in rounds of ROUND requests, each round ending at the next
 * I/O turn as a socket read would (so commits are batched as in the real path). Prints
 * µs of process CPU per commit over COMMITS commits after a warm-up. Noise from other
 * processes on the machine is much smaller here than in the latency benchmark.
 * `npx tsx bench/groups/commit-cpu.ts`; ROUND, COMMITS scale it.
 */
import { ANONYMOUS } from '../../src/server/principal.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { OffsetCommitApi } from '../../protocol/generated/messages/08-offset-commit.js';
import { startBroker } from '../../src/index.js';
import { Dispatcher } from '../../src/server/dispatcher.js';
import { HANDLER_TABLES } from '../../src/node/handler-tables.js';
import { createLogger } from '../../src/common/logger.js';
import { createTopic } from '../../test/helpers/topics.js';
import { COMMIT_TOPIC } from './commit-latency.js';
import { PipelinedClient } from './pipelined-client.js';

const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const round = env('ROUND', 100);
const commits = env('COMMITS', 100_000);
const groups = 1000;

const running = await startBroker();
try {
  createTopic(running, COMMIT_TOPIC, { partitions: 4 });
  const broker = running.broker;
  const dispatcher = new Dispatcher(
    broker.services,
    broker.clock,
    createLogger({ level: 'silent', pretty: false }),
    HANDLER_TABLES,
  );
  const info = {
    connectionId: 1,
    listenerName: 'PLAINTEXT',
    securityProtocol: 'PLAINTEXT',
    clientHost: '127.0.0.1',
    clientPort: 1,
    principal: ANONYMOUS,
  };
  const frames = Array.from({ length: groups }, (_, group) =>
    PipelinedClient.encode(OffsetCommitApi, 8, {
      groupId: `bench-group-${group}`,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: [
        {
          name: COMMIT_TOPIC,
          topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
          partitions: Array.from({ length: 4 }, (_, partitionIndex) => ({
            partitionIndex,
            committedOffset: BigInt(group * 100 + partitionIndex),
            committedLeaderEpoch: -1,
            commitTimestamp: -1n,
            committedMetadata: '',
          })),
        },
      ],
    }).subarray(4),
  );
  let errors = 0;
  const run = async (n: number): Promise<void> => {
    for (let sent = 0; sent < n;) {
      const pending: Promise<unknown>[] = [];
      for (let i = 0; i < round; i++, sent++) {
        pending.push(
          dispatcher
            .dispatch(Buffer.from(frames[sent % groups]!), info)
            .then((r) => (r.kind === 'respond' ? undefined : errors++)),
        );
      }
      await nextTurn();
      await Promise.all(pending);
    }
  };
  await run(20_000);
  const before = process.cpuUsage();
  const start = performance.now();
  await run(commits);
  const used = process.cpuUsage(before);
  const wallMs = performance.now() - start;
  console.log(
    `${commits} commits in rounds of ${round}: ${((used.user + used.system) / commits).toFixed(1)} µs CPU per commit (${(used.system / commits).toFixed(1)} µs system), ${((wallMs * 1000) / commits).toFixed(1)} µs wall; ${errors} errors`,
  );
} finally {
  await running.stop();
}
