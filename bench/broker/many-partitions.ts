/**
 * 10,000 partitions on one broker (issue #20): `npx tsx bench/broker/many-partitions.ts [topics=100]
 * [partitionsPerTopic=100] [metadataRounds=20] [ulimit=1024]` after `npm run build`.
 *
 * Runs the real broker from dist/ (`bin/gregor.js start`, combined mode) in a shell that set
 * `ulimit -n <ulimit>` (soft and hard), creates the topics in one CreateTopics, writes one small
 * batch (acks=-1) to every partition, then measures:
 * - a full Metadata request (v12, all topics) over a raw socket: time from the request's write to the
 *   whole response read (the client does not decode it in the timed part), median and spread;
 * - the broker's RSS and descriptors;
 * - SIGTERM, then a clean restart to the first answered Metadata and the first answered produce;
 * - SIGKILL, then the restart (recovery) to the same two answers;
 * and checks after each restart that every partition's log end is 1 (one ListOffsets).
 * BENCH_ROOT=<another built tree> runs that tree's broker instead (new vs old in one shell loop);
 * BENCH_KEEP=1 keeps the data dir (for profiling a restart). Restarts only, new vs old in one run:
 * BENCH_FROM=<a kept data dir> BENCH_TREES=<built tree>,<built tree> [BENCH_ROUNDS=3] copies the data dir
 * before each start (untimed) and alternates the trees, a clean restart each.
 * BENCH_UNCLEAN=1 (with BENCH_FROM) deletes the clean-shutdown marker and listing from each copy: every restart
 * is then a recovery, as after a SIGKILL. Each restart's SIGTERM is timed. Lines the broker writes to stderr starting with MEMPROBE (from a
 * `--require` probe in BENCH_NODE_ARGS) are printed after each round.
 * BENCH_CREATE_ONLY=1 stops after the Produce (then SIGTERM, timed): CreateTopics, first produce, shutdown.
 * BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/p' passes node options to the broker (profiles are
 * written by brokers stopped with SIGTERM).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeFrame, writeRequestHeader } from '../../protocol/frame.js';
import { buildRecordBatch } from '../../protocol/records/batch-encode.js';
import {
  MetadataApi,
  defaultMetadataRequest,
  type MetadataRequest,
} from '../../protocol/generated/messages/03-metadata.js';
import { ProduceApi, defaultProduceRequest } from '../../protocol/generated/messages/00-produce.js';
import { CreateTopicsApi, defaultCreateTopicsRequest } from '../../protocol/generated/messages/19-create-topics.js';
import {
  ListOffsetsApi,
  defaultListOffsetsRequest,
  defaultListOffsetsRequestListOffsetsPartition,
} from '../../protocol/generated/messages/02-list-offsets.js';
import { Reader } from '../../protocol/primitives/reader.js';
import { readResponseHeader } from '../../protocol/frame.js';
import type { ApiDefinition } from '../../protocol/generated/api-definition.js';
import { ROOT, freePort, rssMiB, cpuSeconds } from './procs.js';

const topics = Number(process.argv[2] ?? 100);
const perTopic = Number(process.argv[3] ?? 100);
const metadataRounds = Number(process.argv[4] ?? 20);
const limit = Number(process.argv[5] ?? 1024);
let root = process.env.BENCH_ROOT ?? ROOT;
const topicNames = Array.from({ length: topics }, (_, i) => `t${String(i).padStart(3, '0')}`);

interface Broker {
  child: ChildProcess;
  spawnedAt: number;
  output: () => string;
}

function spawnBroker(dataDir: string, port: number, controllerPort: number): Broker {
  const overrides = {
    'log.dirs': dataDir,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'controller.listener.names': 'CONTROLLER',
    'process.roles': 'broker,controller',
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    'node.id': '1',
  };
  const args = Object.entries(overrides).map(([k, v]) => `--override '${k}=${v}'`);
  const nodeArgs = process.env.BENCH_NODE_ARGS ?? '';
  const command = `ulimit -n ${limit} && exec '${process.execPath}' ${nodeArgs} '${join(root, 'bin/gregor.js')}' start ${args.join(' ')}`;
  const spawnedAt = performance.now();
  const child = spawn('bash', ['-c', command], { stdio: ['ignore', 'ignore', 'pipe'] });
  let out = '';
  child.stderr!.on('data', (d: Buffer) => {
    if (out.length < 20_000) out += d.toString();
  });
  return { child, spawnedAt, output: () => out };
}

/** One connection that sends frames and resolves whole response frames, in order. */
class RawConnection {
  private buffered: Buffer = Buffer.alloc(0);
  private waiting: ((frame: Buffer) => void)[] = [];
  private correlationId = 0;
  private constructor(private readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buffered = this.buffered.length === 0 ? d : Buffer.concat([this.buffered, d]);
      while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
        const size = this.buffered.readInt32BE(0);
        const frame = this.buffered.subarray(4, 4 + size);
        this.buffered = this.buffered.subarray(4 + size);
        this.waiting.shift()?.(frame);
      }
    });
  }

  static open(port: number): Promise<RawConnection | null> {
    return new Promise((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('error', () => resolve(null));
      socket.once('connect', () => {
        socket.removeAllListeners('error');
        socket.on('error', () => undefined);
        resolve(new RawConnection(socket));
      });
    });
  }

  encode<Req>(api: ApiDefinition<Req, unknown>, version: number, body: Req): Buffer {
    return Buffer.concat(
      encodeFrame((w) => {
        writeRequestHeader(w, {
          requestApiKey: api.apiKey,
          requestApiVersion: version,
          correlationId: ++this.correlationId,
          clientId: 'many-partitions',
        });
        api.encodeRequest(w, version, body);
      }),
    );
  }

  /** Sends an encoded frame; resolves the raw response frame (without the size prefix), or null when closed. */
  send(frame: Buffer, timeoutMs = 600_000): Promise<Buffer | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(null), timeoutMs);
      const closed = (): void => resolve(null);
      this.socket.once('close', closed);
      this.waiting.push((f) => {
        clearTimeout(timer);
        this.socket.off('close', closed);
        resolve(f);
      });
      this.socket.write(frame);
    });
  }

  decode<Res>(api: ApiDefinition<unknown, Res>, version: number, frame: Buffer): Res {
    const r = new Reader(frame);
    readResponseHeader(r, api.apiKey, version);
    return api.decodeResponse(r, version);
  }

  close(): void {
    this.socket.destroy();
  }
}

const metadataBody: MetadataRequest = { ...defaultMetadataRequest(), topics: null, allowAutoTopicCreation: false };

function produceBody(
  acks: number,
  partitionsOf: (topic: string) => number[],
): ReturnType<typeof defaultProduceRequest> {
  const records = buildRecordBatch({ records: [{ value: Buffer.from('one small record of many-partitions') }] });
  return {
    ...defaultProduceRequest(),
    acks,
    timeoutMs: 60_000,
    topicData: topicNames.map((name) => ({
      name,
      topicId: '00000000-0000-0000-0000-000000000000',
      partitionData: partitionsOf(name).map((index) => ({ index, records })),
    })),
  };
}

/** Polls until `ask` is answered without error; resolves ms since the broker was spawned. */
async function firstAnswer(broker: Broker, port: number, ask: (c: RawConnection) => Promise<boolean>): Promise<number> {
  const deadline = performance.now() + 300_000;
  while (performance.now() < deadline) {
    if (broker.child.exitCode !== null) throw new Error(`broker exited: ${broker.output().slice(-3000)}`);
    const c = await RawConnection.open(port);
    if (c) {
      try {
        if (await ask(c)) return performance.now() - broker.spawnedAt;
      } finally {
        c.close();
      }
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error('no answer within 300 s');
}

async function metadataAnswered(c: RawConnection): Promise<boolean> {
  const frame = await c.send(c.encode(MetadataApi, 12, { ...metadataBody, topics: null }), 5_000);
  if (!frame) return false;
  const res = c.decode(MetadataApi, 12, frame);
  return res.topics.length === topics && res.topics.every((t) => t.errorCode === 0 && t.partitions.length === perTopic);
}

async function produceAnswered(c: RawConnection): Promise<boolean> {
  const body = produceBody(1, (name) => (name === topicNames[0] ? [0] : []));
  body.topicData = body.topicData.slice(0, 1);
  const frame = await c.send(c.encode(ProduceApi, 9, body), 5_000);
  if (!frame) return false;
  return c.decode(ProduceApi, 9, frame).responses[0]?.partitionResponses[0]?.errorCode === 0;
}

/** Partitions whose log end offset is `expected` (one ListOffsets of all of them). */
async function logEnds(port: number, expected: (topic: string, p: number) => bigint): Promise<number> {
  const c = (await RawConnection.open(port))!;
  try {
    const body = {
      ...defaultListOffsetsRequest(),
      replicaId: -1,
      topics: topicNames.map((name) => ({
        name,
        partitions: Array.from({ length: perTopic }, (_, p) => ({
          ...defaultListOffsetsRequestListOffsetsPartition(),
          partitionIndex: p,
          timestamp: -1n,
        })),
      })),
    };
    const res = c.decode(ListOffsetsApi, 7, (await c.send(c.encode(ListOffsetsApi, 7, body)))!);
    let ok = 0;
    for (const t of res.topics)
      for (const p of t.partitions) if (p.errorCode === 0 && p.offset === expected(t.name, p.partitionIndex)) ok++;
    return ok;
  } finally {
    c.close();
  }
}

function descriptors(pid: number | undefined): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return -1;
  }
}

async function stop(broker: Broker, signal: NodeJS.Signals): Promise<number> {
  const t0 = performance.now();
  if (broker.child.exitCode !== null) return 0;
  const exited = new Promise((r) => broker.child.once('exit', r));
  broker.child.kill(signal);
  await exited;
  return performance.now() - t0;
}

const ms = (n: number): string => `${n.toFixed(1)} ms`;

async function measureMetadata(port: number): Promise<string> {
  const c = (await RawConnection.open(port))!;
  try {
    const frame = c.encode(MetadataApi, 12, metadataBody);
    const first = await c.send(frame);
    const res = c.decode(MetadataApi, 12, first!);
    const count = res.topics.reduce((n, t) => n + t.partitions.length, 0);
    const times: number[] = [];
    for (let i = 0; i < metadataRounds; i++) {
      const t0 = performance.now();
      await c.send(c.encode(MetadataApi, 12, metadataBody));
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)]!;
    return `Metadata v12 (all ${count} partitions, ${(first!.length / 1024).toFixed(0)} KiB): median ${ms(median)}, min ${ms(times[0]!)}, max ${ms(times[times.length - 1]!)} over ${metadataRounds}`;
  } finally {
    c.close();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'gregor-10k-'));
  const dataDir = join(dir, 'data');
  const port = await freePort();
  const controllerPort = await freePort();
  const total = topics * perTopic;
  const note = (line: string): void => console.log(line);
  note(
    `${topics} topics x ${perTopic} = ${total} partitions, ulimit -n ${limit}, tree ${root}, load ${loadavg()[0]!.toFixed(2)}`,
  );
  let broker = spawnBroker(dataDir, port, controllerPort);
  try {
    note(
      `first start (empty dir) to Metadata: ${ms(await firstAnswer(broker, port, async (c) => !!(await c.send(c.encode(MetadataApi, 12, metadataBody), 5_000))))}`,
    );
    const admin = (await RawConnection.open(port))!;
    let t0 = performance.now();
    const created = admin.decode(
      CreateTopicsApi,
      7,
      (await admin.send(
        admin.encode(CreateTopicsApi, 7, {
          ...defaultCreateTopicsRequest(),
          timeoutMs: 600_000,
          topics: topicNames.map((name) => ({
            name,
            numPartitions: perTopic,
            replicationFactor: 1,
            assignments: [],
            configs: [],
          })),
        }),
      ))!,
    );
    const createErrors = created.topics.filter((t) => t.errorCode !== 0).length;
    note(`CreateTopics: ${ms(performance.now() - t0)} (${createErrors} errors)`);
    t0 = performance.now();
    const all = Array.from({ length: perTopic }, (_, p) => p);
    const produced = admin.decode(
      ProduceApi,
      9,
      (await admin.send(
        admin.encode(
          ProduceApi,
          9,
          produceBody(-1, () => all),
        ),
      ))!,
    );
    const produceErrors = produced.responses
      .flatMap((r) => r.partitionResponses)
      .filter((p) => p.errorCode !== 0).length;
    note(
      `one Produce (acks=-1) of one record to each partition: ${ms(performance.now() - t0)} (${produceErrors} errors)`,
    );
    admin.close();
    if (process.env.BENCH_CREATE_ONLY) {
      note(`SIGTERM: exited in ${ms(await stop(broker, 'SIGTERM'))}`);
      return;
    }
    note(await measureMetadata(port));
    const pid = broker.child.pid;
    const rss = rssMiB(pid!);
    note(
      `RSS ${rss.rss.toFixed(0)} MiB (anon ${rss.anon.toFixed(0)}), ${descriptors(pid)} descriptors, CPU so far ${cpuSeconds(pid!).toFixed(1)} s`,
    );

    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      note(`${signal}: exited in ${ms(await stop(broker, signal))}`);
      broker = spawnBroker(dataDir, port, controllerPort);
      const toMetadata = await firstAnswer(broker, port, metadataAnswered);
      const toProduce = await firstAnswer(broker, port, produceAnswered);
      const wrote = signal === 'SIGTERM' ? 1 : 2;
      const ends = await logEnds(port, (t, p) => BigInt(t === topicNames[0] && p === 0 ? wrote + 1 : 1));
      const after = rssMiB(broker.child.pid!);
      note(
        `restart after ${signal}: first full Metadata ${ms(toMetadata)}, first produce ${ms(toProduce)}; ${ends}/${total} log ends right; RSS ${after.rss.toFixed(0)} MiB, ${descriptors(broker.child.pid)} descriptors`,
      );
    }
    note(await measureMetadata(port));
    note(`load ${loadavg()[0]!.toFixed(2)}`);
  } finally {
    await stop(broker, 'SIGTERM');
    if (process.env.BENCH_KEEP) note(`data kept in ${dataDir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/** As a SIGKILL leaves a log dir: without the clean-shutdown marker and listing (recovery from the checkpoints). */
function dropCleanShutdownFiles(dataDir: string): void {
  for (const name of ['.kafka_cleanshutdown', '.gregor_clean_listing']) rmSync(join(dataDir, name), { force: true });
}

async function restarts(from: string, trees: string[], rounds: number): Promise<void> {
  const port = await freePort();
  const controllerPort = await freePort();
  console.log(
    `restarts of a copy of ${from}, trees ${trees.join(' / ')}, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  for (let round = 0; round < rounds; round++) {
    for (const tree of trees) {
      root = tree;
      const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'gregor-10k-copy-'));
      cpSync(from, join(dir, 'data'), { recursive: true });
      if (process.env.BENCH_UNCLEAN) dropCleanShutdownFiles(join(dir, 'data'));
      const broker = spawnBroker(join(dir, 'data'), port, controllerPort);
      try {
        const toMetadata = await firstAnswer(broker, port, metadataAnswered);
        const toProduce = await firstAnswer(broker, port, produceAnswered);
        const cpu = cpuSeconds(broker.child.pid!);
        const rss = rssMiB(broker.child.pid!);
        console.log(
          `round ${round} ${tree}: first full Metadata ${ms(toMetadata)}, first produce ${ms(toProduce)}, CPU ${cpu.toFixed(2)} s, RSS ${rss.rss.toFixed(0)} MiB`,
        );
      } finally {
        console.log(`  SIGTERM: exited in ${ms(await stop(broker, 'SIGTERM'))}`);
        rmSync(dir, { recursive: true, force: true });
        for (const line of broker.output().split('\n')) if (line.startsWith('MEMPROBE')) console.log(`  ${line}`);
      }
    }
  }
  console.log(
    `load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

if (process.env.BENCH_FROM)
  await restarts(
    process.env.BENCH_FROM,
    (process.env.BENCH_TREES ?? ROOT).split(','),
    Number(process.env.BENCH_ROUNDS ?? 3),
  );
else await main();
