/**
 * What an idle three-node cluster costs: CPU per second of each node (user and system) while no
 * client is connected, after a settling pause. The replication benchmark's RF 3 figures per MB
 * include this time-based cost (heartbeats, Raft fetches, replica fetchers' long polls).
 *   npx tsx bench/broker/idle-cpu.ts            (IDLE_MS=10000 by default)
 *   NODE_ARGS_PROFILE=/tmp/idle-prof IDLE_MS=40000 npx tsx bench/broker/idle-cpu.ts   (profiles, written on SIGTERM)
 */
import { ProcessCluster } from '../../test/helpers/process-cluster.js';
import { cpuSplit } from './procs.js';

const IDLE_MS = Number(process.env.IDLE_MS ?? 10_000);
const cluster = new ProcessCluster({ 'replica.fetch.wait.max.ms': '500', 'auto.leader.rebalance.enable': 'false' });
try {
  await cluster.startRegistered(3);
  await new Promise((r) => setTimeout(r, 5_000));
  const pids = cluster.nodes.map((n) => n.process!.pid!);
  const before = pids.map(cpuSplit);
  const start = performance.now();
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const seconds = (performance.now() - start) / 1000;
  const after = pids.map(cpuSplit);
  pids.forEach((_, i) => {
    const user = ((after[i]!.user - before[i]!.user) / seconds) * 1000;
    const system = ((after[i]!.system - before[i]!.system) / seconds) * 1000;
    console.log(`node ${i + 1}: user ${user.toFixed(1)} ms/s, system ${system.toFixed(1)} ms/s`);
  });
  if (process.env.NODE_ARGS_PROFILE) for (const node of cluster.nodes) await cluster.terminate(node);
} finally {
  await cluster.stop();
}
