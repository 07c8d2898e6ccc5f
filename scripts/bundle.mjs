// Bundles the compiled broker (dist/src) into one ESM file per entry point, so start-up
// loads a handful of modules instead of several hundred (Node's ESM loader dominates the
// start-up time otherwise). npm packages stay external and load from node_modules.
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' };
await build({ ...common, entryPoints: ['dist/src/cli/main.js'], outfile: 'dist/bundle/cli.mjs' });
await build({ ...common, entryPoints: ['dist/src/index.js'], outfile: 'dist/bundle/index.mjs' });
