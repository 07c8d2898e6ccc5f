/* global console, process */
/**
 * Issue 20's V8 startup snapshot experiment (session 11): builds a user-land startup snapshot of a built
 * tree's CLI bundle, `node bench/broker/snapshot-blob.mjs <tree> <blob>`, for bench/broker/startup-ab.mts
 * to time `node --snapshot-blob <blob> <tree>/bin/gregor.cjs start` against the plain CLI (the bundle with
 * its code cache). Measured slower on Node 20 (docs/benchmarks.md, "Start-up, session 11"), so the
 * build does not make one and `gregor` does not use one; this stays to repeat the measurement.
 *
 * Node 20 snapshots one script that may require built-in modules only, and cannot snapshot node:tls or
 * node:http, so the entry written here is the bundle's own text inside a CommonJS-style function whose
 * `require` is node's built-in one while building and, after deserialisation, a real require for the
 * bundle's place on disk (native bindings load on first use: nothing native or TLS loads at import).
 * `module.relocateGregorBundle` (scripts/bundle.mjs's banner) points the bundle's module URL there.
 * argv is then [node, <bin/gregor.cjs>, ...args], as the plain CLI sees it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const [tree, blobArg] = process.argv.slice(2);
if (!tree || !blobArg) throw new Error('usage: node bench/broker/snapshot-blob.mjs <built tree> <blob>');
const bundle = resolve(tree, 'dist/bundle/cli.cjs');
const blob = resolve(blobArg);
const entry = `${blob}.entry.cjs`;

const prelude = `'use strict';
const v8 = require('node:v8');
const path = require('node:path');
let load = require;
const bundle = { exports: {} };
(function (exports, require, module, __filename, __dirname) {
`;
const epilogue = `
})(bundle.exports, (id) => load(id), bundle, ${JSON.stringify(bundle)}, ${JSON.stringify(dirname(bundle))});
v8.startupSnapshot.setDeserializeMainFunction(() => {
  process.argv[1] = path.resolve(process.argv[1] ?? 'bin/gregor.cjs');
  const file = path.resolve(path.dirname(process.argv[1]), '../dist/bundle/cli.cjs');
  load = require('node:module').createRequire(file);
  bundle.relocateGregorBundle(file);
  bundle.exports.main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
});
`;
writeFileSync(entry, prelude + readFileSync(bundle, 'latin1') + epilogue, 'latin1');
try {
  execFileSync(process.execPath, ['--no-warnings', '--snapshot-blob', blob, '--build-snapshot', entry], {
    stdio: 'inherit',
  });
} finally {
  rmSync(entry, { force: true });
}
// An empty snapshot beside it: what any user-land snapshot costs node before Gregor's part.
const empty = join(dirname(blob), 'empty.blob');
const emptyEntry = `${empty}.entry.cjs`;
writeFileSync(emptyEntry, "require('node:v8').startupSnapshot.setDeserializeMainFunction(() => {});\n");
execFileSync(process.execPath, ['--snapshot-blob', empty, '--build-snapshot', emptyEntry], { stdio: 'inherit' });
rmSync(emptyEntry, { force: true });
console.log(`${blob} and ${empty} written`);
