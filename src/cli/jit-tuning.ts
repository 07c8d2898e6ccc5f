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
 * Lower thresholds (an eighth of the budget, 20 calls) let it reach the optimizing tier within
 * seconds: the three processes' user CPU per replicated MB fell by a sixth to a third in the
 * benchmark's rounds (a quarter of the budget and 50 calls gained less). The cost is some more
 * optimizing compilations, on V8's background thread, of code that is warm but not hot.
 * A process started with either flag on its node command line keeps the value given there.
 */
import { setFlagsFromString } from 'node:v8';

export const SERVING_JIT_FLAGS: Readonly<Record<string, number>> = Object.freeze({
  'interrupt-budget': 8 * 1024,
  'minimum-invocations-after-ic-update': 20,
});

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
