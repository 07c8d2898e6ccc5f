// `npm run check`: the code checks, two at a time (each is one busy process, and `npm test` runs
// them before the tests on a 2-core machine: about 45 s less than one after the other). The
// longest start first. Each step's output is printed when it ends, a failing one's in full; the
// exit code is 1 when any failed.
/* global process */
import { spawn } from 'node:child_process';

const STEPS = ['format:check', 'typecheck', 'lint', 'cycles', 'docs:config:check', 'gen:check'];
const PARALLEL = 2;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function runStep(step) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(npm, ['run', '-s', step], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      process.stdout.write(`check ${step}: ${code === 0 ? 'ok' : `FAILED (exit ${code})`} in ${seconds} s\n`);
      if (code !== 0 || output.trim() !== '') process.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
      resolve(code === 0);
    });
  });
}

const queue = [...STEPS];
let failed = false;
await Promise.all(
  Array.from({ length: PARALLEL }, async () => {
    for (let step = queue.shift(); step !== undefined; step = queue.shift()) if (!(await runStep(step))) failed = true;
  }),
);
process.exit(failed ? 1 : 0);
