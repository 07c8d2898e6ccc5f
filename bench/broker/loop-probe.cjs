/**
 * A probe preloaded into a benchmarked server (`node --require bench/broker/loop-probe.cjs ...`; latency.ts
 * adds it with BENCH_PROBE=1), writing to the file named by LOOP_PROBE_LOG, one line per event, times in
 * seconds since the epoch:
 *  - `stall <end> <ms> <cpu ms> <queued ms>`: the event loop ran a 2 ms timer more than 15 ms late (it was
 *    blocked that long), with how long the main thread ran on a CPU and waited for one meanwhile
 *    (/proc schedstat): the rest of the stall it slept (in the kernel: see the `wait` lines);
 *  - `gc <start> <ms> <kind>`: a garbage collection of 3 ms or more;
 *  - `wait <at> <state> <wchan> <kernel stack>`: a worker thread samples the main thread every 5 ms from
 *    /proc and logs it when it is blocked in the kernel anywhere but its epoll wait (state D, or S elsewhere):
 *    a write throttled by dirty pages shows as `balance_dirty_pages`, an fsync as `ext4_sync_file`, ...;
 *  - `vm <at> <nr_dirty MiB> <nr_writeback MiB> <background threshold MiB> <threshold MiB>` every 100 ms;
 *  - `busy <end> <ms> <elu> <cpu ms> <queued ms>` every ~10 ms: over the `ms` before `end`, the event loop's
 *    utilization (share of the time not waiting in epoll) and the main thread's time on a CPU and waiting for
 *    one: a loop that is saturated without ever stalling 15 ms shows here (elu near 1).
 * Leaves out: anything but Linux (/proc); the kernel stack needs root (else the line has none).
 */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: preloaded with node --require */
/* global performance, setInterval */
'use strict';
const fs = require('node:fs');
const { Worker, isMainThread } = require('node:worker_threads');
const { PerformanceObserver } = require('node:perf_hooks');

const file = process.env.LOOP_PROBE_LOG;
if (isMainThread && file) {
  const log = (line) => fs.appendFileSync(file, `${line}\n`);
  const seconds = (ms) => (ms / 1000).toFixed(3);
  const schedstat = `/proc/${process.pid}/task/${process.pid}/schedstat`;
  /** The main thread's time on a CPU and waiting for one (run queue), in ms since it started. */
  const sched = () => {
    const [cpu, queued] = fs.readFileSync(schedstat, 'utf8').split(' ').map(Number);
    return { cpu: cpu / 1e6, queued: queued / 1e6 };
  };
  let last = performance.now();
  let lastSched = sched();
  setInterval(() => {
    const now = performance.now();
    const late = now - last - 2;
    const at = sched();
    if (late > 15) {
      const cpu = (at.cpu - lastSched.cpu).toFixed(1);
      const queued = (at.queued - lastSched.queued).toFixed(1);
      log(`stall ${seconds(performance.timeOrigin + now)} ${late.toFixed(1)} ${cpu} ${queued}`);
    }
    last = now;
    lastSched = at;
  }, 2).unref();
  let lastBusyAt = performance.now();
  let lastElu = performance.eventLoopUtilization();
  let lastBusySched = sched();
  setInterval(() => {
    const now = performance.now();
    const elu = performance.eventLoopUtilization(lastElu);
    const at = sched();
    log(
      `busy ${seconds(performance.timeOrigin + now)} ${(now - lastBusyAt).toFixed(1)} ${elu.utilization.toFixed(3)} ` +
        `${(at.cpu - lastBusySched.cpu).toFixed(2)} ${(at.queued - lastBusySched.queued).toFixed(2)}`,
    );
    lastBusyAt = now;
    lastElu = performance.eventLoopUtilization();
    lastBusySched = at;
  }, 10).unref();
  const kinds = { 1: 'scavenge', 2: 'mark-compact', 4: 'incremental', 8: 'weak-callbacks' };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.duration < 3) continue;
      const kind = kinds[entry.detail?.kind] ?? String(entry.detail?.kind);
      log(`gc ${seconds(performance.timeOrigin + entry.startTime)} ${entry.duration.toFixed(1)} ${kind}`);
    }
  }).observe({ entryTypes: ['gc'] });
  const sampler = new Worker(
    `
    const fs = require('node:fs');
    const { file, pid } = require('node:worker_threads').workerData;
    const read = (path) => { try { return fs.readFileSync(path, 'utf8'); } catch { return ''; } };
    const MiB = (pages) => Math.round((Number(pages) * 4) / 1024);
    let lastVm = 0;
    setInterval(() => {
      const now = Date.now();
      const stat = read('/proc/' + pid + '/task/' + pid + '/stat');
      const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
      const wchan = read('/proc/' + pid + '/task/' + pid + '/wchan') || '0';
      const waiting = state === 'D' || (state === 'S' && !/epoll/.test(wchan) && wchan !== '0');
      if (waiting) {
        const stack = read('/proc/' + pid + '/task/' + pid + '/stack').split('\\n').map((l) => l.replace(/^\\[<[0-9a-f]+>\\] /, '').replace(/\\+0x.*/, '')).filter(Boolean).slice(0, 8).join('<');
        fs.appendFileSync(file, 'wait ' + (now / 1000).toFixed(3) + ' ' + state + ' ' + wchan + ' ' + stack + '\\n');
      }
      if (now - lastVm >= 100) {
        lastVm = now;
        const vm = Object.fromEntries(read('/proc/vmstat').split('\\n').map((l) => l.split(' ')));
        fs.appendFileSync(file, 'vm ' + (now / 1000).toFixed(3) + ' ' + MiB(vm.nr_dirty) + ' ' + MiB(vm.nr_writeback) + ' ' + MiB(vm.nr_dirty_background_threshold) + ' ' + MiB(vm.nr_dirty_threshold) + '\\n');
      }
    }, 5);
    `,
    { eval: true, workerData: { file, pid: process.pid } },
  );
  sampler.unref();
}
