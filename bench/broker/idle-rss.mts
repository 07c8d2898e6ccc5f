/**
 * Idle RSS of `gregor start` over time (issue 20): `npx tsx bench/broker/idle-rss.mts <label>=<tree> ...`.
 * Starts each tree's broker (fresh data dir, all at once), then prints each one's RSS (all of it, and the
 * anonymous part) 1.5 s, 10 s and 30 s after its first ApiVersions answer: V8's memory reducer collects
 * the start-up garbage some seconds after the process goes idle.
 */
import { startBroker, rssMiB } from './procs.js';

const variants = process.argv.slice(2).map((spec) => {
  const [label, root] = spec.split('=') as [string, string];
  return { label, root };
});
const brokers = [];
for (const v of variants) brokers.push({ ...v, b: await startBroker({}, { root: v.root }) });
const started = performance.now();
for (const at of [1.5, 10, 30]) {
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, at * 1000 - (performance.now() - started))));
  for (const { label, b } of brokers) {
    const { rss, anon } = rssMiB(b.child.pid!);
    console.log(`${label} at ${at} s: RSS ${rss.toFixed(1)} MiB (anonymous ${anon.toFixed(1)})`);
  }
}
for (const { b } of brokers) await b.stop();
