/**
 * kafka-console-producer's rate for a file piped in: `npx tsx bench/ops/console-producer.ts` after
 * `npm run build`. One broker (bench/groups/broker-process.ts, this tree's, on disk) serves every run;
 * each run pipes a file of BENCH_LINES (100000) lines of BENCH_LINE_BYTES (100) bytes into
 * `bin/kafka/kafka-console-producer.sh --bootstrap-server ... --topic t<run>` (defaults: acks=all,
 * idempotent, linger 1000 ms) and times it from spawn to exit, process start-up included.
 * With BENCH_BASELINE=<dir> (another built tree: its bin/ and dist/), the baseline's tool runs in the
 * same rounds, alternating which goes first; it prints lines/s of each run, the medians, the
 * per-round ratios (this tree ÷ baseline) and the load average of every run. BENCH_ROUNDS (5).
 * All traffic stays on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, writeFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnBroker } from '../groups/spawn-broker.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const LINES = Number(process.env.BENCH_LINES ?? 100_000);
const LINE_BYTES = Number(process.env.BENCH_LINE_BYTES ?? 100);
const here = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const baseline = process.env.BENCH_BASELINE;

function runTool(tree: string, bootstrap: string, topic: string, file: string): Promise<number> {
  const input = openSync(file, 'r');
  const started = process.hrtime.bigint();
  const child = spawn(
    join(tree, 'bin/kafka/kafka-console-producer.sh'),
    ['--bootstrap-server', bootstrap, '--topic', topic],
    { stdio: [input, 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((done, fail) => {
    child.on('exit', (code) => {
      closeSync(input);
      const errors = stderr.split('\n').filter((l) => l !== '' && !l.includes(' WARN '));
      if (code !== 0 || errors.length > 0) fail(new Error(`${tree}: exit ${code}: ${stderr.slice(0, 500)}`));
      else done(Number(process.hrtime.bigint() - started) / 1e9);
    });
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dir = mkdtempSync(join(tmpdir(), 'gregor-console-bench-'));
const file = join(dir, 'lines.txt');
const line = (i: number): string => `${String(i).padStart(8, '0')}${'x'.repeat(LINE_BYTES - 8)}`;
writeFileSync(file, Array.from({ length: LINES }, (_, i) => line(i)).join('\n') + '\n');
const broker = await spawnBroker({ config: { 'auto.create.topics.enable': true } });
const bootstrap = `127.0.0.1:${broker.port}`;
const trees: Array<{ name: string; path: string }> = [{ name: 'this tree', path: here }];
if (baseline) trees.push({ name: 'baseline', path: resolve(baseline) });
const rates = new Map<string, number[]>(trees.map((t) => [t.name, []]));
const ratios: number[] = [];
let run = 0;
try {
  // One unmeasured run each: the broker's request path warms up.
  for (const tree of trees) await runTool(tree.path, bootstrap, `warm${run++}`, file);
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? trees : [...trees].reverse();
    const thisRound = new Map<string, number>();
    for (const tree of order) {
      const seconds = await runTool(tree.path, bootstrap, `t${run++}`, file);
      const rate = LINES / seconds;
      rates.get(tree.name)!.push(rate);
      thisRound.set(tree.name, rate);
      console.log(
        `round ${round + 1} ${tree.name}: ${seconds.toFixed(2)} s, ${Math.round(rate)} lines/s, load ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}`,
      );
    }
    if (baseline) ratios.push(thisRound.get('this tree')! / thisRound.get('baseline')!);
  }
  for (const [name, list] of rates) console.log(`${name}: median ${Math.round(median(list))} lines/s`);
  if (baseline)
    console.log(
      `this tree ÷ baseline: median ${median(ratios).toFixed(2)} (rounds ${ratios.map((r) => r.toFixed(2)).join(', ')})`,
    );
} finally {
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
}
