'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: loaded by bin/gregor.js with require() */
/* global __dirname */
/**
 * Loads Gregor's one bundle (dist/bundle/cli.cjs: the CLI's `main` and the embedded API's exports) for
 * bin/gregor.js and for the package's entry (dist/bundle/index.mjs, written by scripts/bundle.mjs), with
 * V8's code cache for it when one was made for this very bundle (`node bin/load-cli.cjs --make-cache`,
 * run by `npm run build` and in the Docker image's build): compiling the 3 MB bundle is most of what
 * loading it costs. The cache is made after a warm-up (brokers started in memory, in a throwaway dir
 * and on a data dir, one ApiVersions request answered, all stopped), so it also holds the bytecode of the functions a start
 * and a first request compile lazily: without it, the first `startBroker()` of a process compiled them.
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
 * The bundle's source inside CommonJS's function wrapper (Module.wrap's text), read straight into one
 * buffer with the wrapper around it: wrapping the file's text afterwards would make V8 flatten a second
 * 2.7 MB string, and the first would stay in memory as garbage until a full GC (idle RSS).
 * scripts/bundle.mjs keeps the bundle ASCII, which decodes as latin1 into a one-byte string several
 * times faster than a UTF-8 decode (which makes a two-byte string of any file with one character
 * outside Latin-1).
 */
function readWrappedSource() {
  const [head, tail] = Module.wrapper;
  const fd = fs.openSync(BUNDLE, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const bytes = Buffer.allocUnsafeSlow(head.length + size + tail.length);
    bytes.write(head, 0, 'latin1');
    for (let read = 0; read < size;) {
      const n = fs.readSync(fd, bytes, head.length + read, size - read, read);
      if (n === 0) throw new Error(`${BUNDLE} ended after ${read} of ${size} bytes`);
      read += n;
    }
    bytes.write(tail, head.length + size, 'latin1');
    return isAscii(bytes) ? bytes.latin1Slice(0, bytes.length) : bytes.toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
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

/**
 * Compiles the wrapped bundle, with the code cache in `cacheFile` when given. Its own function, so the
 * cache's buffer is garbage before the bundle's top level runs (and goes in its first scavenges).
 */
function compile(wrappedSource, cacheFile) {
  const cachedData = cacheFile ? readOrNull(cacheFile) : null;
  return new vm.Script(wrappedSource, {
    filename: BUNDLE,
    ...(cachedData ? { cachedData } : {}),
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
}

/** Runs the compiled bundle as node's CommonJS loader would. */
function run(script) {
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
  if (stamp === null || stamp.trim() !== stampOf(BUNDLE) || !fs.existsSync(CACHE)) return require(BUNDLE);
  return run(compile(readWrappedSource(), CACHE)).exports;
}

/** An ApiVersions v3 request (flexible header v2, client "warm-up" 1), length-prefixed. */
const API_VERSIONS_V3 = Buffer.from([
  0,
  0,
  0,
  29,
  0,
  18,
  0,
  3,
  0,
  0,
  0,
  1,
  0,
  7,
  ...Buffer.from('warm-up'),
  0,
  8,
  ...Buffer.from('warm-up'),
  2,
  49,
  0,
]);

/** Sends one ApiVersions request to host:port and resolves once its whole answer is read. */
function askApiVersions(port) {
  const net = require('node:net');
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(API_VERSIONS_V3));
    let got = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      got = Buffer.concat([got, chunk]);
      if (got.length >= 4 && got.length >= 4 + got.readInt32BE(0)) {
        socket.destroy();
        resolve();
      }
    });
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error('no ApiVersions answer in 10 s')));
  });
}

/**
 * Runs what a start runs, so that V8 compiles it before the cache is made: a broker in memory, one
 * with a throwaway dir (startBroker()'s own: metadata in memory), then one on a given data dir (the
 * CLI's way: meta.properties, the metadata log and quorum state on disk) answering one ApiVersions
 * request. Only for a bundle that exports startBroker (the tests' tiny bundles do not).
 */
async function warmUp(exports) {
  if (typeof exports.startBroker !== 'function') return;
  const inMemory = await exports.startBroker({ storage: 'memory' });
  await inMemory.stop();
  const throwaway = await exports.startBroker();
  await throwaway.stop();
  const dataDir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'gregor-warm-up-'));
  try {
    const onDisk = await exports.startBroker({ dataDir });
    try {
      await askApiVersions(onDisk.port);
    } finally {
      await onDisk.stop();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function makeCache() {
  fs.rmSync(CACHE, { force: true });
  fs.rmSync(STAMP, { force: true });
  const { script, exports } = run(compile(readWrappedSource(), undefined));
  try {
    await warmUp(exports);
  } catch (error) {
    // Still a valid cache (of what ran until then): only the first start compiles more.
    console.warn(`bin/load-cli.cjs: the warm-up before the code cache failed: ${error.message}`);
  }
  fs.writeFileSync(CACHE, script.createCachedData());
  fs.writeFileSync(STAMP, `${stampOf(BUNDLE)}\n`);
}

if (require.main === module && process.argv[2] === '--make-cache') {
  makeCache().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}

module.exports = { loadCli };
