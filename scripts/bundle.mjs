// Bundles the compiled broker (dist/src) and its pure-JS dependencies into one ESM file
// per entry point, so start-up loads a handful of modules instead of several hundred
// (Node's module loader dominated the start-up time). Native bindings and pino-pretty
// (loaded only on a TTY) stay external and load from node_modules.
import { build } from 'esbuild';

const external = ['@node-rs/crc32', 'snappy', 'lz4-napi', 'zstd-napi', 'zstd-napi/*', 'pino-pretty', 'fs-ext'];
const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external,
  logLevel: 'warning',
  // JSON (the response shapes of error answers) stays one string, parsed only when used.
  loader: { '.json': 'text' },
  // Bundled CommonJS dependencies call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __gregorCreateRequire } from 'node:module'; const require = __gregorCreateRequire(import.meta.url);",
  },
};
await build({ ...common, entryPoints: ['dist/src/cli/main.js'], outfile: 'dist/bundle/cli.mjs' });
await build({ ...common, entryPoints: ['dist/src/index.js'], outfile: 'dist/bundle/index.mjs' });
