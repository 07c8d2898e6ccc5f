/**
 * jit-tuning.ts: the serving thresholds are set unless the node command line gives them, and they
 * take effect at run time (a child process: a function is optimized after 100 calls with them, not
 * without; V8's --allow-natives-syntax reads its state).
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SERVING_JIT_FLAGS, tuneJitForServing, tuneJitWhenBusy } from './jit-tuning.js';

t.test('sets each flag the command line does not give', async (t) => {
  t.same(
    tuneJitForServing(['--max-old-space-size=512']),
    Object.entries(SERVING_JIT_FLAGS).map(([name, value]) => `--${name}=${value}`),
  );
  t.same(tuneJitForServing(['--interrupt-budget=1000']), [
    `--minimum-invocations-after-ic-update=${SERVING_JIT_FLAGS['minimum-invocations-after-ic-update']}`,
  ]);
  t.same(tuneJitForServing(['--interrupt_budget=1000', '--minimum-invocations-after-ic-update=7']), []);
});

const MODULE = fileURLToPath(new URL('./jit-tuning.ts', import.meta.url));
const PROBE = `
const { tuneJitForServing } = await import(${JSON.stringify(MODULE)});
if (process.argv[1] === 'tuned') tuneJitForServing();
function perRequest(o) { let s = 0; for (let i = 0; i < 10; i++) s += o.a * i + o.b; return s; }
for (let i = 0; i < 100; i++) perRequest({ a: i, b: 1 });
await new Promise((r) => setTimeout(r, 300));
console.log((%GetOptimizationStatus(perRequest) & 16) !== 0 ? 'optimized' : 'not optimized');
`;

function probe(mode: string): string {
  return execFileSync(
    process.execPath,
    ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', PROBE, mode],
    { encoding: 'utf8' },
  ).trim();
}

t.test('the thresholds take effect at run time', async (t) => {
  t.equal(probe('default'), 'not optimized', "V8's defaults: 100 calls are not enough");
  t.equal(probe('tuned'), 'optimized', 'after tuneJitForServing they are');
});

t.test('the flags wait until the process is busy: an idle broker keeps V8 defaults', async (t) => {
  let cpu = 0;
  let check: (() => void) | null = null;
  let cancelled = false;
  let applied = 0;
  const tuned: string[][] = [];
  tuneJitWhenBusy(
    (flags) => tuned.push(flags),
    {
      cpuMicros: () => cpu,
      every: (ms, fire) => {
        t.equal(ms, 1000, 'checked every second');
        check = fire;
        return { cancel: () => (cancelled = true) };
      },
    },
    () => {
      applied++;
      return ['--flag'];
    },
  );
  cpu += 12_000; // an idle broker: ~12 ms of CPU per second
  check!();
  t.equal(applied, 0, 'idle: not applied');
  cpu += 150_000; // 150 ms in a window: below a fifth of a core
  check!();
  t.equal(applied, 0, 'below a fifth of a core: not applied');
  // A burst of work of about a second, as a 512 MB produce to a three-node cluster is for each node
  // (~0.6 CPU-s in ~1.3 s), then idle again: busy, though it is under a fifth of a core over 5 s.
  cpu += 300_000;
  check!();
  t.equal(applied, 1, 'busy: applied');
  t.same(tuned, [['--flag']]);
  t.ok(cancelled, 'and the watch stops');
});

/** A busy watch over a made-up CPU counter: `check` runs one 1 s sample, `applied` counts the tunings. */
function watchWith(cpu: { micros: number }): { check: () => void; applied: () => number } {
  let fire: (() => void) | null = null;
  let applied = 0;
  tuneJitWhenBusy(
    () => undefined,
    {
      cpuMicros: () => cpu.micros,
      every: (_ms, f) => {
        fire = f;
        return { cancel: () => (fire = null) };
      },
    },
    () => {
      applied++;
      return [];
    },
  );
  return { check: () => fire?.(), applied: () => applied };
}

t.test('a broker busy on a loaded machine (under a fifth of a core each second) is tuned too', async (t) => {
  const idle = { micros: 0 };
  const idleWatch = watchWith(idle);
  for (let s = 0; s < 120; s++) {
    idle.micros += 15_000; // 1.5% of a core, three times an idle broker's 0.5%: 0.45 CPU-s in any 30 s
    idleWatch.check();
  }
  t.equal(idleWatch.applied(), 0, 'not at 1.5% of a core for two minutes');
  const slow = { micros: 0 };
  const slowWatch = watchWith(slow);
  for (let s = 0; s < 10; s++) {
    slow.micros += 50_000; // a twentieth of a core: a node replicating at ~25 MB/s at load 20-26
    slowWatch.check();
  }
  t.equal(slowWatch.applied(), 0, 'not yet after 0.5 CPU-s');
  slow.micros += 50_000;
  slowWatch.check();
  t.equal(slowWatch.applied(), 1, 'once over 0.5 CPU-s in 30 s');
});
