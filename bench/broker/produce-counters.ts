/**
 * Where a produce run's broker CPU goes, phase by phase (issue 20, session 22): one broker (this tree's, or
 * BENCH_ROOT=<built tree>), BENCH_RUNS runs of the load generator into a topic of their own (as
 * produce-kcat.ts's BENCH_DROP_TOPICS=1), and for each phase of a run (the topic's creation, the produce, the
 * topic's deletion) the broker's counters from /proc: user and system CPU, read and write calls, minor page
 * faults, context switches, each per GB of record values where it scales with the bytes. During the produce it also
 * prints the CPU of the load generator (its whole process, start-up included), of the kernel's threads (page-cache
 * writeback, kswapd: the machine's other costs of the broker's writes) and of any other process (other jobs on the
 * machine), so what a run needs of the two cores can be told apart from the broker's own share.
 *
 *   npm run build && BENCH_WORKLOADS=99:256,1023:1024 BENCH_RUNS=6 npx tsx bench/broker/produce-counters.ts
 *
 * BENCH_WORKLOADS lists `recordBytes:MB` workloads, run in turn in every run (default 99:256, a 100 B line of
 * produce-kcat.ts at BENCH_MB=1024); the medians of each phase per workload are printed at the end.
 *
 * BENCH_NODE_ARGS (space-separated) go to the broker's node (`--perf-basic-prof`); BENCH_PAUSE_MS waits that
 * long before each measured produce and prints the broker's pid first, so `perf record -p` or `strace -c -p`
 * can be attached by hand; BENCH_SYNC (1) runs `sync` before each run, as produce-kcat.ts does. The first
 * BENCH_WARMUP (1) runs are not printed. All traffic stays on 127.0.0.1.
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { loadgenProduce } from './loadgen-client.js';
import {
  brokerConfig,
  everyProcessCpu,
  outsideCpu,
  processCounters,
  runLoad,
  startBroker,
  type ProcessCounters,
} from './procs.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 6);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1);
/** Workloads run in turn, `recordBytes:mb` each: BENCH_WORKLOADS='99:256,1023:256,1023:1024'. */
const WORKLOADS = (process.env.BENCH_WORKLOADS ?? '99:256').split(',').map((w) => {
  const [recordBytes, mb] = w.split(':').map(Number);
  return { recordBytes: recordBytes!, mb: mb! };
});
const PAUSE_MS = Number(process.env.BENCH_PAUSE_MS ?? 0);
const SYNC = (process.env.BENCH_SYNC ?? '1') === '1';
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');

const diff = (a: ProcessCounters, b: ProcessCounters): ProcessCounters => ({
  user: b.user - a.user,
  system: b.system - a.system,
  reads: b.reads - a.reads,
  writes: b.writes - a.writes,
  minorFaults: b.minorFaults - a.minorFaults,
  switches: b.switches - a.switches,
});

const show = (label: string, c: ProcessCounters, gb: number): string =>
  `${label}: user ${c.user.toFixed(2)} s, system ${c.system.toFixed(2)} s` +
  (gb > 0 ? ` (${(c.user / gb).toFixed(2)} / ${(c.system / gb).toFixed(2)} CPU-s/GB)` : '') +
  `, reads ${c.reads}, writes ${c.writes}, minor faults ${c.minorFaults}, switches ${c.switches}`;

const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

interface Phases {
  create: ProcessCounters;
  produce: ProcessCounters;
  remove: ProcessCounters;
  gb: number;
  msgPerS: number;
  /** CPU-seconds during the produce of the load generator, of kernel threads (writeback...), of other processes. */
  loadgen: number;
  kernelThreads: number;
  others: number;
}

/** One run of `workload` into a topic of its own: the broker's counters per phase. */
async function oneRun(
  pid: number,
  port: number,
  admin: Admin,
  topic: string,
  workload: { recordBytes: number; mb: number },
  pause: boolean,
): Promise<Phases> {
  const c0 = processCounters(pid);
  await runLoad(['create', `127.0.0.1:${port}`, topic, '1']);
  if (SYNC) execFileSync('sync');
  if (pause) {
    process.stderr.write(`${topic}: producing in ${PAUSE_MS} ms (broker pid ${pid})\n`);
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
  }
  const c1 = processCounters(pid);
  const machine1 = everyProcessCpu();
  const r = await loadgenProduce(port, topic, { ...workload, acks: '1' });
  const c2 = processCounters(pid);
  const outside = outsideCpu(machine1, everyProcessCpu(), new Set([pid, process.pid]));
  await admin.deleteTopics({ topics: [topic] });
  const c3 = processCounters(pid);
  return {
    create: diff(c0, c1),
    produce: diff(c1, c2),
    remove: diff(c2, c3),
    gb: r.bytes / 1e9,
    msgPerS: r.messages / r.seconds,
    loadgen: r.cpuUser + r.cpuSystem,
    kernelThreads: outside.kernel,
    // The load generator has exited by now, so it is not among the processes outsideCpu sees.
    others: outside.others,
  };
}

async function main(): Promise<void> {
  const broker = await startBroker(
    { 'log.segment.delete.delay.ms': '0', ...brokerConfig() },
    { nodeArgs: NODE_ARGS, ...(process.env.BENCH_ROOT ? { root: process.env.BENCH_ROOT } : {}) },
  );
  const pid = broker.child.pid!;
  process.stderr.write(`broker pid ${pid}\n`);
  const admin = new Kafka({
    clientId: 'bench',
    brokers: [`127.0.0.1:${broker.port}`],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  const results = WORKLOADS.map(() => [] as Phases[]);
  try {
    for (let run = 0; run < WARMUP + RUNS; run++) {
      for (const [w, workload] of WORKLOADS.entries()) {
        const name = `${workload.recordBytes}B x ${workload.mb} MB`;
        const phases = await oneRun(
          pid,
          broker.port,
          admin,
          `counters-r${run}-w${w}`,
          workload,
          PAUSE_MS > 0 && run >= WARMUP,
        );
        if (run < WARMUP) continue;
        results[w]!.push(phases);
        console.log(
          `run ${run} ${name}: ${(phases.msgPerS * 1e-6).toFixed(2)} M msg/s, load ${loadavg()[0]!.toFixed(1)}`,
        );
        console.log(`  ${show('create', phases.create, 0)}`);
        console.log(`  ${show('produce', phases.produce, phases.gb)}`);
        console.log(`  ${show('delete', phases.remove, 0)}`);
        console.log(
          `  during the produce, CPU-s/GB: load generator ${(phases.loadgen / phases.gb).toFixed(3)}, kernel threads ` +
            `${(phases.kernelThreads / phases.gb).toFixed(3)}, other processes ${(phases.others / phases.gb).toFixed(3)}`,
        );
      }
    }
  } finally {
    await admin.disconnect();
    await broker.stop();
  }
  for (const [w, workload] of WORKLOADS.entries()) {
    const runs = results[w]!;
    const perGb = (pick: (p: Phases) => number): string => median(runs.map((p) => pick(p) / p.gb)).toFixed(3);
    console.log(
      `${workload.recordBytes} B x ${workload.mb} MB, medians of ${runs.length} runs: ` +
        `${(median(runs.map((p) => p.msgPerS)) * 1e-6).toFixed(2)} M msg/s; CPU-s/GB in the produce ` +
        `${perGb((p) => p.produce.user)} user + ${perGb((p) => p.produce.system)} system; create + delete ` +
        `${perGb((p) => p.create.user + p.remove.user)} user + ${perGb((p) => p.create.system + p.remove.system)} system; ` +
        `during the produce: load generator ${perGb((p) => p.loadgen)}, kernel threads ${perGb((p) => p.kernelThreads)}, ` +
        `other processes ${perGb((p) => p.others)}`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
