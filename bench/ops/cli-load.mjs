/**
 * What loading the CLI bundle costs: the same code bundled as ESM (built here into a temp file, as
 * scripts/bundle.mjs did before), as CommonJS (dist/bundle/cli.cjs) through require(), and through
 * bin/load-cli.cjs with V8's code cache (what bin/gregor.js does): each
 * round spawns a fresh `node` that loads one of them and reports the CPU time and wall time of the
 * load; the order alternates. `npm run build` first; `node bench/ops/cli-load.mjs [rounds]`.
 */
/* global console, process, URL */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const rounds = Number(process.argv[2] ?? 10);
const dir = mkdtempSync(join(tmpdir(), 'gregor-cli-load-'));
const esm = join(root, 'dist/bundle/cli-esm-bench.mjs');
await build({
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['@node-rs/crc32', 'snappy', 'lz4-napi', 'zstd-napi', 'zstd-napi/*', 'pino-pretty', 'fs-ext'],
  logLevel: 'warning',
  loader: { '.json': 'text' },
  banner: {
    js: "import { createRequire as __gregorCreateRequire } from 'node:module'; const require = __gregorCreateRequire(import.meta.url);",
  },
  entryPoints: [join(root, 'dist/src/cli/main.js')],
  outfile: esm,
});
const probe = (load) =>
  `const c0 = process.cpuUsage(); const t0 = performance.now(); ${load}; const c = process.cpuUsage(c0); ` +
  `console.log(JSON.stringify({ cpu: (c.user + c.system) / 1000, wall: performance.now() - t0, boot: t0 }))`;
const variants = {
  esm: ['--input-type=module', '-e', probe(`await import(${JSON.stringify(esm)})`)],
  cjs: ['-e', probe(`require(${JSON.stringify(join(root, 'dist/bundle/cli.cjs'))})`)],
  cached: ['-e', probe(`require(${JSON.stringify(join(root, 'bin/load-cli.cjs'))}).loadCli()`)],
};
const results = { esm: [], cjs: [], cached: [] };
const before = loadavg();
try {
  for (let i = 0; i < rounds; i++)
    for (const name of i % 2 === 0 ? ['esm', 'cjs', 'cached'] : ['cached', 'cjs', 'esm'])
      results[name].push(JSON.parse(execFileSync(process.execPath, variants[name], { cwd: dir, encoding: 'utf8' })));
} finally {
  rmSync(esm, { force: true });
  rmSync(dir, { recursive: true, force: true });
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const after = loadavg();
console.log(
  `${rounds} rounds, ${new Date().toISOString().slice(0, 16)} UTC, load average ${before[0].toFixed(2)} before, ${after[0].toFixed(2)} after`,
);
for (const name of ['esm', 'cjs', 'cached'])
  console.log(
    `${name}: load CPU median ${median(results[name].map((r) => r.cpu)).toFixed(0)} ms, wall median ${median(results[name].map((r) => r.wall)).toFixed(0)} ms, node boot median ${median(results[name].map((r) => r.boot)).toFixed(0)} ms`,
  );
for (const name of ['cjs', 'cached'])
  console.log(
    `ratio ${name}/esm (CPU medians): ${(median(results[name].map((r) => r.cpu)) / median(results.esm.map((r) => r.cpu))).toFixed(2)}`,
  );
