/**
 * Start-up inside a running process (issue 20): `node bench/broker/start-times.mjs [disk|memory] [calls=6]`
 * after `npm run build`. Plain node (no tsx, whose loader would be counted): times the import of the
 * bundled package (dist/bundle/index.mjs), then `startBroker()` to resolved, one call after another
 * (each broker stopped before the next), wall and CPU of this process. Prints one JSON line.
 * BENCH_ROOT=<a built tree> times that tree's package instead (bench/broker/start-times-ab.mjs).
 */
/* global URL, process, console, performance */
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';

const storage = process.argv[2] ?? 'disk';
const calls = Number(process.argv[3] ?? 6);
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const importStart = performance.now();
const importCpu = cpuMs();
const root = process.env.BENCH_ROOT ? pathToFileURL(`${process.env.BENCH_ROOT}/`) : new URL('../../', import.meta.url);
const { startBroker } = await import(new URL('dist/bundle/index.mjs', root).href);
const importMs = performance.now() - importStart;
const importCpuMs = cpuMs() - importCpu;

const starts = [];
for (let i = 0; i < calls; i++) {
  const t0 = performance.now();
  const c0 = cpuMs();
  const running = await startBroker(storage === 'memory' ? { storage: 'memory' } : {});
  starts.push({ wallMs: +(performance.now() - t0).toFixed(1), cpuMs: +(cpuMs() - c0).toFixed(1) });
  await running.stop();
}
console.log(
  JSON.stringify({
    storage,
    load: loadavg()[0].toFixed(1),
    importMs: +importMs.toFixed(1),
    importCpuMs: +importCpuMs.toFixed(1),
    // Set on the project machines; it costs every node process ~90 ms before this script runs, not
    // the figures here (run with `env -u NODE_EXTRA_CA_CERTS` to match bench/broker/procs.ts).
    extraCaCerts: process.env.NODE_EXTRA_CA_CERTS !== undefined,
    starts,
  }),
);
