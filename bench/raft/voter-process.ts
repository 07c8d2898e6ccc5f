/**
 * One Gregor node (broker + metadata quorum voter) for the quorum benchmark, with a load generator
 * inside: on the stdin line `feed <seconds> <chunk> <window> <noop|config>` a node that is the Raft
 * leader submits metadata records through the controller's append path (`MetadataController.submit`,
 * the path every controller command takes) as fast as the quorum accepts them: chunks of `chunk`
 * records while fewer than `window` are uncommitted. It prints one JSON line with the records committed
 * (the leader's high watermark, which counts a majority's durable copies) and the time taken, after a
 * one-second warm-up. On `quorum` it prints the leader's view of every voter's log end.
 * Leaves out: any other command; the parent (bench/raft/quorum-throughput.ts) drives it.
 */
import { createInterface } from 'node:readline';
import { BrokerConfig } from '../../src/common/config.js';
import { createLogger } from '../../src/common/logger.js';
import { Broker } from '../../src/node/broker.js';
import type { MetadataRecord } from '../../src/metadata/records.js';

const overrides: Record<string, string> = {};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] !== '--override') continue;
  const kv = argv[++i] ?? '';
  const eq = kv.indexOf('=');
  overrides[kv.slice(0, eq)] = kv.slice(eq + 1);
}
const broker = new Broker({ config: BrokerConfig.load({ env: {}, overrides }), log: createLogger() });
await broker.start();

function record(kind: string, i: number): MetadataRecord {
  if (kind === 'config') {
    return {
      type: 'ConfigRecord',
      data: {
        resourceType: 4,
        resourceName: String(broker.quorum.node.raft.id),
        name: `bench.key.${i % 64}`,
        value: `value-${i}`,
      },
    };
  }
  return { type: 'NoOpRecord', data: {} };
}

function feed(seconds: number, chunk: number, window: number, kind: string): void {
  const raft = broker.quorum.node.raft;
  if (!raft.isLeader()) {
    console.log(JSON.stringify({ error: 'not leader' }));
    return;
  }
  let submitted = 0;
  let failed = 0;
  const started = Date.now();
  let warm: { at: number; hw: number } | undefined;
  const tick = (): void => {
    const now = Date.now();
    if (!warm && now - started >= 1000) warm = { at: now, hw: raft.highWatermark() };
    if (warm && now - warm.at >= seconds * 1000) {
      const hw = raft.highWatermark();
      const ms = now - warm.at;
      console.log(
        JSON.stringify({ committed: hw - warm.hw, ms, perSecond: Math.round(((hw - warm.hw) * 1000) / ms), failed }),
      );
      return;
    }
    const uncommitted = raft.logEndOffset() - raft.highWatermark();
    if (uncommitted < window) {
      const records: MetadataRecord[] = [];
      for (let i = 0; i < chunk; i++) records.push(record(kind, submitted + i));
      submitted += chunk;
      broker.controller.submit(records).catch(() => failed++);
    }
    setImmediate(tick);
  };
  tick();
}

process.stdin.on('close', () => process.exit(0));
createInterface({ input: process.stdin }).on('line', (line) => {
  const [command, ...args] = line.trim().split(/\s+/);
  if (command === 'feed')
    feed(Number(args[0] ?? 5), Number(args[1] ?? 100), Number(args[2] ?? 20000), args[3] ?? 'noop');
  if (command === 'exit') process.exit(0); // lets --cpu-prof write its profile
  if (command === 'quorum') console.log(JSON.stringify(broker.quorum.node.describe()));
});
