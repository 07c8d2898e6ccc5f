/** `gregor` CLI entry for bundling from the sources (bench/storage/many-partitions.ts). */
import { main } from '../../src/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
