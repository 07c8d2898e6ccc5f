/**
 * `gregor start` to its first ApiVersions answer, and RSS 1.5 s later: `npx tsx bench/broker/startup-check.mts
 * [starts=5]` after `npm run build`. With BENCH_BASELINE=<an older built tree> the starts alternate
 * between that tree and this one, in one run.
 */
import { loadavg } from 'node:os';
import { startBroker, nodeStart, rssMiB } from './procs.js';

const starts = Number(process.argv[2] ?? 5);
const baseline = process.env.BENCH_BASELINE;
const base = await nodeStart();
const results: string[] = [
  `node alone (a script): ${base.wallMs.toFixed(0)} ms wall, ${base.cpuMs.toFixed(0)} ms CPU; load ${loadavg()[0]!.toFixed(1)}`,
];
for (let i = 0; i < starts; i++) {
  for (const root of baseline ? [baseline, undefined] : [undefined]) {
    const b = await startBroker({}, root ? { root } : {});
    const ms = b.readyAt - b.spawnedAt;
    await new Promise((r) => setTimeout(r, 1500));
    const rss = rssMiB(b.child.pid!);
    results.push(
      `${root ? 'baseline' : 'this tree'}: ${ms.toFixed(0)} ms, CPU ${(b.readyCpu * 1000).toFixed(0)} ms, RSS ${rss.rss.toFixed(0)} MiB`,
    );
    await b.stop();
  }
}
results.push(`load ${loadavg()[0]!.toFixed(1)}`);
console.log(results.join('\n'));
