/**
 * The tests' TypeScript loader (tap's `node-arg`: `--import=./test/loader/register.mjs`), in place
 * of tsx: tsx costs about a second of CPU more per test process than this (its resolver and CJS
 * hooks run for every module, tap's own included), and the suite starts over 200 processes.
 * It registers hooks.mjs (off-thread module hooks) and turns on source maps for stack traces.
 * Only what the project's sources need: ESM .ts files imported as `./x.js` (NodeNext style).
 */
/* global process */
import { register } from 'node:module';

process.setSourceMapsEnabled(true);
register('./hooks.mjs', import.meta.url);
