/**
 * V8's tier-up thresholds for a broker process, set once `gregor start` is serving (not before: the
 * start-up keeps V8's defaults and their start-up time).
 *
 * A broker answers few, large requests: with 1 MB batches, each node of a three-node cluster runs its
 * per-request code (Produce, a follower's Fetch loop, the leader's Fetch answer, the codecs) only
 * ~600 times per GB. V8 optimizes a function only after a bytecode budget is spent in it
 * (`--interrupt-budget`, 66 KiB by default) and 500 calls after each change of its type feedback
 * (`--minimum-invocations-after-ic-update`), so that code ran in V8's baseline tier (Sparkplug) for
 * the first gigabytes: measured, session 17 (docs/benchmarks.md), 85% of the JavaScript frames in a
 * replicated produce's samples, and a third of the three processes' user CPU per MB.
 * Lower thresholds (a sixteenth of the budget, 10 calls) let it reach the optimizing tier within
 * seconds: session 17 measured an eighth of the budget and 20 calls against V8's defaults (the three
 * processes' user CPU per replicated MB fell by a sixth to a third in the benchmark's rounds; a quarter
 * and 50 calls gained less); session 21 a sixteenth and 10 calls against that (user CPU per replicated
 * MB 1.7 against 2.2-2.4 ms, both ways round; a thirty-second and 5 calls gained nothing more): at
 * ~700 requests per GB and node, the leader's Fetch answer (respond, noteAnswer, readPartitions) was
 * still baseline code after 1.8 GB. The cost is some more optimizing compilations, on V8's background
 * thread, of code that is warm but not hot.
 * A process started with either flag on its node command line keeps the value given there.
 *
 * Set only once the broker is busy (tuneJitWhenBusy: more than a fifth of a core over 1 s), not when it
 * starts serving: an idle broker then keeps V8's defaults, since the lower thresholds make V8 optimize
 * its idle timers' code too, paging in the optimizing compiler: +4 MiB of idle RSS (52.5 against 48.6
 * MiB, 10 s after the first answer; issue #20's goal is 50).
 * Busy is either of two windows (session 21; it was a fifth of a core over 5 s): a fifth of a core over
 * 1 s, for work in bursts of a second or two (a 512 MB produce at ~400 MB/s is ~1.3 s and ~0.6 CPU-s per
 * node of a three-node cluster, never a fifth of a core over 5 s), or BUSY_SLOW_CPU_S over the last 30 s,
 * for a broker doing the same work on a machine too loaded to give it a fifth of a core (at load 16-19
 * only one of seven benchmark brokers reached that in three rounds; at load 20-26 none reached 1 CPU-s
 * in 30 s either, each node of a three-node cluster getting ~1 CPU-s per 512 MB round of ~25 s). An
 * idle broker uses ~0.5% of a core (4-5 ms a second per node of an idle three-node cluster: 0.15 CPU-s
 * in 30 s).
 * Either way those brokers kept V8's defaults through their first gigabytes (docs/benchmarks.md,
 * "Replicated produce, session 21").
 */
import { setFlagsFromString } from 'node:v8';

export const SERVING_JIT_FLAGS: Readonly<Record<string, number>> = Object.freeze({
  'interrupt-budget': 4 * 1024,
  'minimum-invocations-after-ic-update': 10,
});

/** How often the process's CPU use is sampled, and the share of one core over that time that counts as busy. */
const BUSY_CHECK_MS = 1000;
const BUSY_CORE_SHARE = 0.2;
/** The slow window: this many CPU-seconds over the last BUSY_SLOW_CHECKS samples count as busy too. */
const BUSY_SLOW_CHECKS = 30;
const BUSY_SLOW_CPU_S = 0.5;

export interface BusyWatch {
  /** The process's user + system CPU time so far, in microseconds (process.cpuUsage). */
  cpuMicros(): number;
  /** Runs `check` every `ms` until cancelled; the timer must not keep the process alive. */
  every(ms: number, check: () => void): { cancel(): void };
}

const processWatch: BusyWatch = {
  cpuMicros: () => {
    const u = process.cpuUsage();
    return u.user + u.system;
  },
  every: (ms, check) => {
    const timer = setInterval(check, ms);
    timer.unref();
    return { cancel: () => clearInterval(timer) };
  },
};

/**
 * Applies SERVING_JIT_FLAGS (tuneJitForServing) the first time the process used more than
 * BUSY_CORE_SHARE of a core over a BUSY_CHECK_MS window, or more than BUSY_SLOW_CPU_S over the last
 * BUSY_SLOW_CHECKS windows, then stops watching; `onTuned` gets the flags set.
 */
export function tuneJitWhenBusy(
  onTuned: (flags: string[]) => void,
  watch: BusyWatch = processWatch,
  apply: () => string[] = () => tuneJitForServing(),
): { cancel(): void } {
  // The CPU time at the last BUSY_SLOW_CHECKS samples (the watch's start first), oldest first.
  const samples = [watch.cpuMicros()];
  const timer = watch.every(BUSY_CHECK_MS, () => {
    const now = watch.cpuMicros();
    const busy =
      now - samples[samples.length - 1]! > BUSY_CHECK_MS * 1000 * BUSY_CORE_SHARE ||
      now - samples[0]! > BUSY_SLOW_CPU_S * 1_000_000;
    samples.push(now);
    if (samples.length > BUSY_SLOW_CHECKS) samples.shift();
    if (!busy) return;
    timer.cancel();
    onTuned(apply());
  });
  return timer;
}

/** Applies SERVING_JIT_FLAGS, except the ones the node command line (`execArgv`) sets; returns what it set. */
export function tuneJitForServing(execArgv: readonly string[] = process.execArgv): string[] {
  const given = (name: string): boolean =>
    execArgv.some((arg) => {
      const bare = arg.replace(/^--/, '').replace(/_/g, '-');
      return bare === name || bare.startsWith(`${name}=`);
    });
  const set: string[] = [];
  for (const [name, value] of Object.entries(SERVING_JIT_FLAGS)) {
    if (given(name)) continue;
    const flag = `--${name}=${value}`;
    setFlagsFromString(flag);
    set.push(flag);
  }
  return set;
}
