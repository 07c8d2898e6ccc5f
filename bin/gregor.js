#!/usr/bin/env node
// The gregor CLI: runs the broker bundled into dist/ by `npm install` (its `prepare` builds).
// The bundle is CommonJS, loaded by load-cli.cjs (with V8's code cache when one was made for it).
import { createRequire } from 'node:module';

const { main } = createRequire(import.meta.url)('./load-cli.cjs').loadCli();

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
