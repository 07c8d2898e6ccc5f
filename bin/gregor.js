#!/usr/bin/env node
// The gregor CLI: runs the broker bundled into dist/ by `npm install` (its `prepare` builds).
import { main } from '../dist/bundle/cli.mjs';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
