/**
 * `startBroker()` start-up, an older built tree against this one in one run (issue 20):
 * `node bench/broker/start-times-ab.mjs <baseline tree> [rounds=5] [calls=6]` after `npm run build`
 * here and in the baseline tree (a copy of an older build: bin/, dist/, package.json and a node_modules).
 * Each round runs bench/broker/start-times.mjs in a fresh node for disk and memory storage, the
 * baseline and this tree alternating (which goes first alternates too). Prints each run and the
 * medians: import of the package (wall, CPU), the first call, and the later calls (wall, CPU).
 */
/* global console, process, URL */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const baseline = process.argv[2];
if (!baseline) throw new Error('usage: node bench/broker/start-times-ab.mjs <baseline tree> [rounds] [calls]');
const rounds = Number(process.argv[3] ?? 5);
const calls = Number(process.argv[4] ?? 6);
const script = fileURLToPath(new URL('./start-times.mjs', import.meta.url));
const here = fileURLToPath(new URL('../../', import.meta.url));
const trees = { baseline, 'this tree': here };
const runs = [];
console.log(`${new Date().toISOString().slice(0, 16)} UTC, load average before ${loadavg()[0].toFixed(2)}`);
for (let round = 0; round < rounds; round++) {
  for (const storage of ['disk', 'memory']) {
    const order = round % 2 === 0 ? ['baseline', 'this tree'] : ['this tree', 'baseline'];
    for (const tree of order) {
      const out = execFileSync(process.execPath, [script, storage, String(calls)], {
        env: { ...process.env, BENCH_ROOT: trees[tree] },
        encoding: 'utf8',
      });
      const run = { tree, ...JSON.parse(out.trim().split('\n').pop()) };
      runs.push(run);
      console.log(JSON.stringify(run));
    }
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const range = (xs) => `${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)}`;
for (const storage of ['disk', 'memory'])
  for (const tree of Object.keys(trees)) {
    const mine = runs.filter((r) => r.storage === storage && r.tree === tree);
    const later = mine.flatMap((r) => r.starts.slice(1));
    console.log(
      `${storage} ${tree}: import ${median(mine.map((r) => r.importMs)).toFixed(1)} ms (${range(mine.map((r) => r.importMs))}), ` +
        `CPU ${median(mine.map((r) => r.importCpuMs)).toFixed(1)}; first call ${median(mine.map((r) => r.starts[0].wallMs)).toFixed(1)} ms ` +
        `(${range(mine.map((r) => r.starts[0].wallMs))}), CPU ${median(mine.map((r) => r.starts[0].cpuMs)).toFixed(1)}; ` +
        `later calls median ${median(later.map((s) => s.wallMs)).toFixed(1)} ms (${range(later.map((s) => s.wallMs))}), CPU ${median(later.map((s) => s.cpuMs)).toFixed(1)}`,
    );
  }
console.log(`load average after ${loadavg()[0].toFixed(2)}`);
