/**
 * kcat (librdkafka) as a produce load that is faster than the broker: a pre-made file of fixed-size
 * lines sent with `kcat -P -l` (one message per line, large batches, 5 requests in flight). Shared by
 * bench/broker/produce-kcat.ts and bench/broker/replication.ts. Every run is bounded by a timeout.
 */
import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';

export const MB = 1e6;

/** A file of about `mb` MB of `lineBytes`-byte lines (the newline included, so messages of lineBytes - 1). */
export async function makeLineFile(
  dir: string,
  mb: number,
  lineBytes = 1024,
): Promise<{ path: string; messages: number; payloadBytes: number }> {
  const path = join(dir, `records-${mb}MB-${lineBytes}B.txt`);
  const messages = Math.round((mb * MB) / lineBytes);
  const line = `${'x'.repeat(lineBytes - 1)}\n`;
  const block = line.repeat(1000);
  const out = createWriteStream(path);
  for (let i = 0; i < messages; i += 1000) {
    const ok = out.write(i + 1000 <= messages ? block : line.repeat(messages - i));
    if (!ok) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
  return { path, messages, payloadBytes: messages * (lineBytes - 1) };
}

/** Requests in flight per connection (librdkafka's max.in.flight; Kafka's and the bench's default 5): BENCH_KCAT_INFLIGHT. */
const IN_FLIGHT = process.env.BENCH_KCAT_INFLIGHT ?? '5';

/** librdkafka settings that let the client outrun the broker: 1 MB batches, 5 in flight. */
export const KCAT_PRODUCE = [
  '-X',
  'linger.ms=20',
  '-X',
  'batch.size=1000000',
  '-X',
  'batch.num.messages=10000',
  '-X',
  'queue.buffering.max.kbytes=1048576',
  '-X',
  'queue.buffering.max.messages=1000000',
  '-X',
  `max.in.flight.requests.per.connection=${IN_FLIGHT}`,
  // BENCH_KCAT_SETTINGS: more librdkafka settings, comma-separated k=v (for example socket.send.buffer.bytes=4194304).
  ...(process.env.BENCH_KCAT_SETTINGS ?? '')
    .split(',')
    .filter((kv) => kv.includes('='))
    .flatMap((kv) => ['-X', kv.trim()]),
];

export function kcat(args: string[], timeoutMs = 300_000): Promise<{ seconds: number; stderr: string }> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    execFile('kcat', args, { timeout: timeoutMs, maxBuffer: 1 << 30 }, (err, _stdout, stderr) => {
      if (err) return reject(new Error(`kcat ${args.join(' ')}: ${err.message} ${String(stderr).slice(0, 500)}`));
      resolve({ seconds: (performance.now() - start) / 1000, stderr: String(stderr) });
    });
  });
}

/** Produces the file with kcat (keyless messages: librdkafka spreads them over the partitions); seconds taken. */
export async function kcatProduce(port: number, topic: string, file: string, acks: string): Promise<number> {
  const r = await kcat([
    '-P',
    '-b',
    `127.0.0.1:${port}`,
    '-t',
    topic,
    '-X',
    `acks=${acks}`,
    ...KCAT_PRODUCE,
    '-l',
    file,
  ]);
  if (/fail|error/i.test(r.stderr)) throw new Error(`kcat reported: ${r.stderr.slice(0, 500)}`);
  return r.seconds;
}
