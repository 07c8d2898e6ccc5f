/**
 * `gregor start` to its first ApiVersions answer, several built trees (and ways to start them) alternating
 * in one run (issue 20): `npx tsx bench/broker/startup-ab.mts <rounds> <label>=<tree>[@<blob>] ...`.
 * `@<blob>` starts that tree with `node --snapshot-blob <blob>` (bench/broker/snapshot-blob.mjs makes one,
 * and an empty.blob beside it, whose spawn-to-exit is timed too). Each round also times node alone (a CommonJS script that exits; `node -e` loads node:crypto first).
 * Prints per variant the median wall time to the answer (spread), the CPU the process had used by then,
 * the RSS 1.5 s later, and the ratio to the first variant per round (median, spread).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { benchEnv, startBroker, nodeStart, rssMiB } from './procs.js';

const [roundsArg, ...specs] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 5);
const variants = specs.map((spec) => {
  const [label, rest] = spec.split('=') as [string, string];
  const [root, blob] = rest.split('@') as [string, string | undefined];
  return { label, root, blob };
});
if (variants.length === 0) throw new Error('usage: startup-ab.mts <rounds> <label>=<tree>[@<blob>] ...');

function spawnToExit(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    execFile(process.execPath, args, { env: benchEnv() }, (err) =>
      err ? reject(err) : resolve(performance.now() - start),
    );
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const spread = (xs: number[]): string => `${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)}`;
const results = new Map<string, { ms: number[]; cpu: number[]; rss: number[] }>();
for (const v of variants) results.set(v.label, { ms: [], cpu: [], rss: [] });
const nodeE: number[] = [];
const nodeCpu: number[] = [];
const emptyBlob: number[] = [];
const empty = variants.find((v) => v.blob)?.blob;
const emptyPath = empty ? join(dirname(empty), 'empty.blob') : undefined;
console.log(
  `${new Date().toISOString().slice(0, 16)} UTC, load average before ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}${benchEnv().NODE_EXTRA_CA_CERTS ? ', NODE_EXTRA_CA_CERTS kept' : ''}`,
);
for (let round = 0; round < rounds; round++) {
  const n = await nodeStart();
  nodeE.push(n.wallMs);
  nodeCpu.push(n.cpuMs);
  if (emptyPath && existsSync(emptyPath)) emptyBlob.push(await spawnToExit(['--snapshot-blob', emptyPath]));
  // Rotate the order each round, so no variant always goes first.
  const order = variants.map((_, i) => variants[(i + round) % variants.length]!);
  for (const v of order) {
    const b = await startBroker({}, { root: v.root, ...(v.blob ? { nodeArgs: ['--snapshot-blob', v.blob] } : {}) });
    const r = results.get(v.label)!;
    r.ms.push(b.readyAt - b.spawnedAt);
    r.cpu.push(b.readyCpu * 1000);
    await new Promise((done) => setTimeout(done, 1500));
    r.rss.push(rssMiB(b.child.pid!).rss);
    await b.stop();
  }
}
console.log(
  `node alone (a script): ${median(nodeE).toFixed(0)} ms wall (${spread(nodeE)}), ${median(nodeCpu).toFixed(0)} ms CPU`,
);
if (emptyBlob.length > 0)
  console.log(`node --snapshot-blob empty.blob: ${median(emptyBlob).toFixed(0)} ms wall (${spread(emptyBlob)})`);
const first = results.get(variants[0]!.label)!;
for (const v of variants) {
  const r = results.get(v.label)!;
  const ratios = r.ms.map((ms, i) => ms / first.ms[i]!);
  console.log(
    `${v.label}: ${median(r.ms).toFixed(0)} ms (${spread(r.ms)}), CPU ${median(r.cpu).toFixed(0)} ms (${spread(r.cpu)}), ` +
      `RSS ${median(r.rss).toFixed(1)} MiB; ÷ ${variants[0]!.label} per round ${median(ratios).toFixed(2)} ` +
      `(${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`,
  );
}
console.log(
  `load average after ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
