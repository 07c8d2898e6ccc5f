/**
 * Runs one Gregor node in this process from TypeScript sources (`node --import tsx test/helpers/node-process.ts
 * --override k=v ...`), for the multi-process quorum test and benchmarks: no build step needed.
 * Prints nothing of its own; the broker logs at GREGOR_LOG_LEVEL.
 */
import { main } from '../../src/cli/main.js';

// The parent holds our stdin open: when it goes away (even by SIGKILL), so do we.
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();

main(['start', ...process.argv.slice(2)]).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
