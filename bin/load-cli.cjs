'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: loaded by bin/gregor.js with require() */
/* global __dirname */
/**
 * Loads the CLI bundle (dist/bundle/cli.cjs) for bin/gregor.js, with V8's code cache for it when
 * one was made for this very bundle (`node bin/load-cli.cjs --make-cache`, run by `npm run build`
 * and in the Docker image's build): compiling the 3 MB bundle is most of what loading it costs.
 * The cache is used only when the bundle's size and modification time (nanoseconds) are those it was
 * made from: the build deletes the cache with every new bundle (scripts/bundle.mjs), and a stat
 * costs far less than hashing 3 MB and loading node:crypto (V8 checks only the source's length).
 * V8 itself rejects a cache from another node or V8 flags, and the bundle then compiles as usual.
 */
const { isAscii } = require('node:buffer');
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

const BUNDLE = path.join(__dirname, '../dist/bundle/cli.cjs');
const CACHE = `${BUNDLE}.v8-cache`;
const STAMP = `${CACHE}.stamp`;

/**
 * The bundle's source: scripts/bundle.mjs keeps it ASCII, which decodes as latin1 into a one-byte
 * string several times faster than a UTF-8 decode (which makes a two-byte string of any file with
 * one character outside Latin-1).
 */
function readSource() {
  const bytes = fs.readFileSync(BUNDLE);
  return isAscii(bytes) ? bytes.latin1Slice(0, bytes.length) : bytes.toString('utf8');
}

/** What identifies the bundle the cache was made from. */
function stampOf(file) {
  const stat = fs.statSync(file, { bigint: true });
  return `${stat.size} ${stat.mtimeNs}`;
}

function readOrNull(file, encoding) {
  try {
    return fs.readFileSync(file, encoding);
  } catch {
    return null;
  }
}

/** Compiles and runs the bundle as node's CommonJS loader would, with `cachedData` when given. */
function run(source, cachedData) {
  const script = new vm.Script(Module.wrap(source), {
    filename: BUNDLE,
    ...(cachedData ? { cachedData } : {}),
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const mod = new Module(BUNDLE, module);
  mod.filename = BUNDLE;
  mod.paths = Module._nodeModulePaths(path.dirname(BUNDLE));
  script
    .runInThisContext()
    .call(mod.exports, mod.exports, Module.createRequire(BUNDLE), mod, BUNDLE, path.dirname(BUNDLE));
  mod.loaded = true;
  return { exports: mod.exports, script };
}

function loadCli() {
  const stamp = readOrNull(STAMP, 'utf8');
  if (stamp === null || stamp.trim() !== stampOf(BUNDLE)) return require(BUNDLE);
  const cachedData = readOrNull(CACHE);
  if (cachedData === null) return require(BUNDLE);
  return run(readSource(), cachedData).exports;
}

function makeCache() {
  fs.rmSync(CACHE, { force: true });
  fs.rmSync(STAMP, { force: true });
  const { script } = run(readSource(), undefined);
  fs.writeFileSync(CACHE, script.createCachedData());
  fs.writeFileSync(STAMP, `${stampOf(BUNDLE)}\n`);
}

if (require.main === module && process.argv[2] === '--make-cache') makeCache();

module.exports = { loadCli };
