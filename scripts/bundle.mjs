/* global console, process */
// Bundles the compiled broker (dist/src) and its pure-JS dependencies into one CommonJS file,
// dist/bundle/cli.cjs, so start-up loads a handful of modules instead of several hundred
// (Node's module loader dominated the start-up time). It exports the CLI's `main` and the
// embedded API (startBroker, ...); the package's entry, dist/bundle/index.mjs, is a small ESM
// file that loads the same bundle through bin/load-cli.cjs, so an import of the package uses
// V8's code cache too (an ESM bundle has none in Node 20: each import compiled all 3 MB).
// Native bindings and pino-pretty (loaded only on a TTY) stay external and load from node_modules.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

// A V8 code cache of the previous CLI bundle (bin/load-cli.cjs) must not outlive it.
rmSync('dist/bundle/cli.cjs.v8-cache', { force: true });
rmSync('dist/bundle/cli.cjs.v8-cache.sha1', { force: true });
rmSync('dist/bundle/cli.cjs.v8-cache.stamp', { force: true });

/**
 * node:worker_threads on first use in pino and thread-stream instead of at their top level: pino reads
 * `isMainThread` when it makes an asynchronous stdout stream (the CLI's logger, as it is created; a
 * silent logger, startBroker()'s default, never does) and thread-stream makes a Worker only for pino
 * transports (Gregor uses none). Loading it was ~0.9 ms of every import of the package
 * (docs/benchmarks.md, "Start-up, session 14"). Each rewrite must match exactly once: a new pino or
 * thread-stream that reads differently fails the build instead of loading it silently.
 */
const WORKER_THREADS_REWRITES = [
  {
    file: /[\\/]pino[\\/]lib[\\/]tools\.js$/,
    rewrites: [
      ["const { isMainThread } = require('worker_threads')", "const workerThreads = () => require('worker_threads')"],
      ['!opts.sync && isMainThread)', '!opts.sync && workerThreads().isMainThread)'],
    ],
  },
  {
    file: /[\\/]thread-stream[\\/]index\.js$/,
    rewrites: [
      [
        "const { Worker } = require('worker_threads')",
        "function Worker (...args) { return new (require('worker_threads').Worker)(...args) }",
      ],
    ],
  },
];
const lazyWorkerThreads = {
  name: 'lazy-worker-threads',
  setup(build) {
    for (const { file, rewrites } of WORKER_THREADS_REWRITES) {
      build.onLoad({ filter: file }, (args) => {
        let contents = readFileSync(args.path, 'utf8');
        for (const [from, to] of rewrites) {
          const count = contents.split(from).length - 1;
          if (count !== 1)
            throw new Error(`scripts/bundle.mjs: expected "${from}" once in ${args.path}, found ${count}`);
          contents = contents.replace(from, to);
        }
        return { contents, loader: 'js' };
      });
    }
  },
};

// node-forge (600 KB, PKCS12 trust stores only) and jks-js (JKS stores only) are required on first use
// (src/common/trust-stores.ts, src/common/java-key-store.ts).
const external = [
  '@node-rs/crc32',
  'aws-crt',
  'snappy',
  'lz4-napi',
  'zstd-napi',
  'zstd-napi/*',
  'pino-pretty',
  'fs-ext',
  'node-forge',
  'jks-js',
];
const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external,
  logLevel: 'warning',
  // JSON (the response shapes of error answers) stays one string, parsed only when used.
  loader: { '.json': 'text' },
  // node:assert only when an assertion fails (scripts/bundle-shims/lazy-assert.cjs).
  alias: { assert: './scripts/bundle-shims/lazy-assert.cjs' },
  plugins: [lazyWorkerThreads],
};
// The CLI (and so `gregor start`, the container's entry point) is CommonJS: bin/gregor.js loads
// it with require(), which compiles the 3 MB file straight from a string, where the ESM loader
// first decodes it and scans it again (measured: ~25 % less CPU to load; docs/benchmarks.md).
// import.meta.url (the logger, the log-dir lock, the compression bindings) is the bundle's URL.
await build({
  ...common,
  format: 'cjs',
  stdin: {
    contents: "export { main } from './dist/src/cli/main.js';\nexport * from './dist/src/index.js';\n",
    resolveDir: process.cwd(),
    sourcefile: 'gregor-bundle-entry.js',
  },
  outfile: 'dist/bundle/cli.cjs',
  define: { 'import.meta.url': '__gregorModuleUrl' },
  // Without comments and indentation (names kept): 2.7 -> 2.05 MB for every start to read and keep
  // in memory as the source V8 compiles lazily from (docs/benchmarks.md, "Start-up, session 11").
  minifyWhitespace: true,
  charset: 'ascii',
  // Strict mode, as the ES modules it is made of were (a CommonJS file is sloppy unless it says so).
  // The module URL is a `let` that `module.relocateGregorBundle(file)` repoints: the startup-snapshot
  // experiment (bench/broker/snapshot-blob.mjs) runs this top level at build time and moves it to the
  // bundle's path at run time, where it loads the native bindings from.
  banner: {
    js: [
      "'use strict';",
      "let __gregorModuleUrl = require('node:url').pathToFileURL(__filename).href;",
      "Object.defineProperty(module, 'relocateGregorBundle', { value: (file) => { __gregorModuleUrl = require('node:url').pathToFileURL(file).href; } });",
    ].join('\n'),
  },
});

// The CLI bundle is kept pure ASCII, so bin/load-cli.cjs reads it into a one-byte string (a fast
// latin1 decode) instead of a UTF-8 decode into a two-byte string of twice the memory. esbuild
// escapes non-ASCII characters in code but keeps doc comments as written: escape those (only in
// comment lines, where an escape changes nothing), and say so when anything else is left.
const cli = 'dist/bundle/cli.cjs';
const lines = readFileSync(cli, 'utf8').split('\n');
const escapeLine = (line) =>
  // eslint-disable-next-line no-control-regex -- matching every character outside ASCII on purpose
  line.replace(/[^\x00-\x7f]/gu, (c) => `\\u{${c.codePointAt(0).toString(16)}}`);
const isCommentLine = (line) => /^\s*(\/\*\*?|\*|\/\/)/.test(line);
const ascii = lines.map((line) => (isCommentLine(line) ? escapeLine(line) : line));
writeFileSync(cli, ascii.join('\n'));
// eslint-disable-next-line no-control-regex -- as above
const left = ascii.filter((line) => /[^\x00-\x7f]/u.test(line)).length;
if (left > 0) console.warn(`scripts/bundle.mjs: ${left} line(s) of ${cli} are not ASCII; it will load slower`);

// The package's entry: the embedded API's exports (every export of dist/src/index.js), taken from
// the bundle that bin/load-cli.cjs loads with the code cache.
const embedded = Object.keys(createRequire(import.meta.url)('../dist/bundle/cli.cjs')).filter(
  (name) => name !== 'main',
);
writeFileSync(
  'dist/bundle/index.mjs',
  [
    "// The package's entry (written by scripts/bundle.mjs): the embedded API from the one bundle,",
    "// dist/bundle/cli.cjs, loaded by bin/load-cli.cjs with V8's code cache when it matches.",
    "import { createRequire } from 'node:module';",
    "const bundle = createRequire(import.meta.url)('../../bin/load-cli.cjs').loadCli();",
    ...embedded.map((name) => `export const ${name} = bundle.${name};`),
    '',
  ].join('\n'),
);
