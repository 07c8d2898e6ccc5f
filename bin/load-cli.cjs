'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: loaded by bin/gregor.js with require() */
/* global __dirname */
/**
 * Loads the CLI bundle (dist/bundle/cli.cjs) for bin/gregor.js, with V8's code cache for it when
 * one was made for this very bundle (`node bin/load-cli.cjs --make-cache`, run by `npm run build`
 * and in the Docker image's build): compiling the 3 MB bundle is most of what loading it costs.
 * The cache is used only when the bundle's SHA-1 matches the one it was made from; V8 itself
 * rejects a cache from another node or V8 flags, and the bundle then compiles as usual.
 */
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

const BUNDLE = path.join(__dirname, '../dist/bundle/cli.cjs');
const CACHE = `${BUNDLE}.v8-cache`;
const SUM = `${CACHE}.sha1`;

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
  const cachedData = readOrNull(CACHE);
  const sum = readOrNull(SUM, 'utf8');
  if (cachedData === null || sum === null) return require(BUNDLE);
  const source = fs.readFileSync(BUNDLE, 'utf8');
  if (createHash('sha1').update(source).digest('hex') !== sum.trim()) return require(BUNDLE);
  return run(source, cachedData).exports;
}

function makeCache() {
  fs.rmSync(CACHE, { force: true });
  fs.rmSync(SUM, { force: true });
  const source = fs.readFileSync(BUNDLE, 'utf8');
  const { script } = run(source, undefined);
  fs.writeFileSync(CACHE, script.createCachedData());
  fs.writeFileSync(SUM, `${createHash('sha1').update(source).digest('hex')}\n`);
}

if (require.main === module && process.argv[2] === '--make-cache') makeCache();

module.exports = { loadCli };
