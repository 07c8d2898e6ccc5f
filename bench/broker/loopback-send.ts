/**
 * What moving bytes over loopback TCP costs each side on this machine, with no broker in the way
 * (issue 14's arithmetic: a leader sends every replicated MB once per follower, and on loopback the
 * sender's system time carries most of the TCP stack, the receiver's little more than the copy):
 *   npx tsx bench/broker/loopback-send.ts [mb=1024] [rounds=3] [chunkBytes=1000000]
 * Per round, a sender process writes `mb` MB to a receiver process on 127.0.0.1 in writes of `chunkBytes` (the
 * same buffer each time, at most 4 writes queued, as a leader sends 1 MB Fetch answers from its tail
 * cache); the receiver reads into one reused buffer per frame-size (Node's `onread`, as the follower's
 * transport does). Each process reports its own user and system CPU-ms per MB, from its first byte to
 * its last; printed with the load average.
 */
import { execFile } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchEnv } from './procs.js';

const SELF = fileURLToPath(import.meta.url);
const MB = 1_000_000;

interface SideResult {
  userMsPerMB: number;
  systemMsPerMB: number;
  seconds: number;
}

function cpuSince(start: NodeJS.CpuUsage, startWall: number, mb: number): SideResult {
  const used = process.cpuUsage(start);
  return {
    userMsPerMB: used.user / 1000 / mb,
    systemMsPerMB: used.system / 1000 / mb,
    seconds: (performance.now() - startWall) / 1000,
  };
}

function receiveIntoUserBuffer(port: number, mb: number, chunkBytes: number): void {
  // The follower's way: net.connect with onread into one buffer (no allocation per read).
  const total = mb * MB;
  const buffer = Buffer.allocUnsafe(chunkBytes);
  let got = 0;
  let start: NodeJS.CpuUsage | null = null;
  let startWall = 0;
  const socket = connect({
    host: '127.0.0.1',
    port,
    onread: {
      buffer,
      callback: (bytes: number) => {
        if (start === null) {
          start = process.cpuUsage();
          startWall = performance.now();
        }
        got += bytes;
        if (got >= total) {
          process.stdout.write(JSON.stringify(cpuSince(start, startWall, mb)) + '\n');
          socket.destroy();
        }
        return true;
      },
    },
  });
  socket.on('error', () => process.exit(1));
}

function send(mb: number, chunkBytes: number): void {
  // The sender listens; the receiver connects to it (so the receiver can use onread).
  const chunk = Buffer.alloc(chunkBytes, 7);
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    const total = mb * MB;
    let queued = 0;
    let written = 0;
    const start = process.cpuUsage();
    const startWall = performance.now();
    const pump = (): void => {
      while (queued < total && socket.writableLength < 4 * chunkBytes) {
        const n = Math.min(chunkBytes, total - queued);
        queued += n;
        socket.write(n === chunkBytes ? chunk : chunk.subarray(0, n), () => {
          written += n;
          if (written >= total) {
            process.stdout.write(JSON.stringify(cpuSince(start, startWall, mb)) + '\n');
            server.close();
          }
        });
      }
    };
    socket.on('drain', pump);
    socket.on('error', () => undefined);
    pump();
  });
  server.listen({ host: '127.0.0.1', port: 0 }, () => {
    const address = server.address();
    process.stdout.write(`port ${typeof address === 'object' && address ? address.port : 0}\n`);
  });
}

function child(args: string[]): { port: Promise<number>; result: Promise<SideResult> } {
  let portResolve: (p: number) => void = () => undefined;
  const port = new Promise<number>((r) => (portResolve = r));
  const result = new Promise<SideResult>((resolve, reject) => {
    const proc = execFile(
      process.execPath,
      ['--import', 'tsx', SELF, ...args],
      { env: benchEnv(), timeout: 120_000 },
      (err, stdout) => {
        if (err) return reject(err);
        resolve(JSON.parse(String(stdout).trim().split('\n').pop() ?? '{}') as SideResult);
      },
    );
    proc.stdout?.on('data', (d: Buffer) => {
      const m = /port (\d+)/.exec(String(d));
      if (m) portResolve(Number(m[1]));
    });
  });
  return { port, result };
}

const fmt = (r: SideResult): string => `${r.userMsPerMB.toFixed(3)} / ${r.systemMsPerMB.toFixed(3)}`;

async function main(): Promise<void> {
  const [mode, a, b, c] = process.argv.slice(2);
  if (mode === 'send') return send(Number(a), Number(b));
  if (mode === 'recv-user') return receiveIntoUserBuffer(Number(a), Number(b), Number(c));
  const mb = Number(mode ?? 1024);
  const rounds = Number(a ?? 3);
  const chunkBytes = Number(b ?? MB);
  for (let r = 0; r < rounds; r++) {
    const sender = child(['send', String(mb), String(chunkBytes)]);
    const receiver = child(['recv-user', String(await sender.port), String(mb), String(chunkBytes)]);
    const [s, rcv] = await Promise.all([sender.result, receiver.result]);
    console.log(
      `round ${r + 1}: ${(mb / s.seconds).toFixed(0)} MB/s; user / system CPU-ms per MB: sender ${fmt(s)}, receiver ${fmt(rcv)} (load ${loadavg()[0]!.toFixed(1)})`,
    );
  }
}

await main();
