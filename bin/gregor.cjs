#!/usr/bin/env node
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: see below */
/* global __dirname */
// The gregor CLI (the package's bin): runs the broker bundled into dist/ by `npm install` (its
// `prepare` builds), loaded by load-cli.cjs with V8's code cache when one was made for it.
// CommonJS, not an ES module: node starts a CommonJS entry without initialising its ESM loader
// (about 5-10 ms of a start; docs/benchmarks.md, "Start-up, session 11").
const { main } = require(require('node:path').join(__dirname, 'load-cli.cjs')).loadCli();

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
