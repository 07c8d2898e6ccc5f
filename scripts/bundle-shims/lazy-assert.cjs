'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: it stands in for require('assert') */
/**
 * `require('assert')` inside the bundle (scripts/bundle.mjs aliases it here): pino's sonic-boom and
 * thread-stream call `assert(condition, message)` and nothing else, and loading node:assert at start-up
 * cost ~1.3 ms and 1.3 MiB of idle RSS (docs/benchmarks.md, "Start-up, session 13"). This is
 * node:assert itself, loaded on the first failed assertion or the first use of any other member.
 */
let real;
const load = () => (real ??= require('node:assert'));

function assert(value, message) {
  if (!value) load()(value, message);
}

module.exports = new Proxy(assert, { get: (_target, key) => load()[key] });
