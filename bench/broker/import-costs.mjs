/**
 * What the broker's start-up spends on loading modules: imports the compiled broker
 * (dist/, `npm run build` first) group by group in one fresh Node process and prints
 * the CPU time and RSS each group adds. Run with plain node (no tsx, whose loader would
 * be counted): `node bench/broker/import-costs.mjs`. Groups load in dependency order, so
 * a later group counts only what the earlier ones did not already load.
 */
/* global URL, process, console */
const D = new URL('../../dist/', import.meta.url).href;
const groups = [
  ['pino', 'pino'],
  ['compression natives (snappy, lz4-napi, zstd-napi)', 'snappy', 'lz4-napi', 'zstd-napi'],
  ['@node-rs/crc32', '@node-rs/crc32'],
  ['generated codecs (api-table: 93 APIs)', D + 'protocol/generated/api-table.js'],
  ['protocol/records', D + 'protocol/records/index.js'],
  ['storage', D + 'storage/log-manager.js'],
  ['handlers (table)', D + 'src/handlers/table.js'],
  ['broker (rest)', D + 'src/node/broker.js'],
  ['cli', D + 'src/cli/main.js'],
];
const out = [];
for (const [label, ...mods] of groups) {
  const c0 = process.cpuUsage();
  const r0 = process.memoryUsage().rss;
  for (const m of mods) await import(m);
  const c = process.cpuUsage(c0);
  out.push(
    `${label}: ${((c.user + c.system) / 1000).toFixed(0)} ms CPU, +${((process.memoryUsage().rss - r0) / 1048576).toFixed(1)} MiB RSS`,
  );
}
console.log(out.join('\n'));
console.log(
  'process CPU so far',
  ((process.cpuUsage().user + process.cpuUsage().system) / 1000).toFixed(0),
  'ms; rss',
  (process.memoryUsage().rss / 1048576).toFixed(1),
);
