/**
 * Recycled fetch read buffers (storage/read-buffers.ts) never change what a consumer reads: distinct
 * ~20 KB messages are written to a broker on disk, then three kcat consumers (librdkafka, small fetch
 * sizes so there are many fetches) and a kafkajs consumer read the partition at once. The pool is
 * seen lending buffers again, and every consumer gets every message byte for byte. And with the
 * responses queued in the broker (80 pipelined 1 MB fetches that the socket cannot take at once), each
 * response still holds what the same fetch alone returns: no buffer is lent again while queued.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '../index.js';
import { fetchReadBuffers } from '../../storage/read-buffers.js';
import { connect } from 'node:net';
import { FrameReader } from '../common/frame-reader.js';
import { encodeFrame, readResponseHeader, writeRequestHeader } from '../../protocol/frame.js';
import { Reader } from '../../protocol/primitives/index.js';
import { ZERO_UUID } from '../../protocol/primitives/uuid.js';
import {
  FetchApi,
  defaultFetchRequest,
  defaultFetchRequestFetchPartition,
} from '../../protocol/generated/messages/01-fetch.js';

const COUNT = 200;
const TOPIC = 'read-buffers';
/** A printable value of 20-26 KB, different for each message. */
const valueOf = (i: number): string => {
  const parts: string[] = [];
  for (let n = 0; n < 320 + (i % 7) * 10; n++) parts.push(createHash('sha256').update(`${i}:${n}`).digest('hex'));
  return parts.join('');
};

function kcatConsume(bootstrap: string): Promise<string[]> {
  const args = ['-C', '-b', bootstrap, '-t', TOPIC, '-p', '0', '-o', 'beginning', '-c', String(COUNT), '-e', '-q'];
  args.push('-X', 'fetch.message.max.bytes=131072', '-f', '%k %s\n');
  return new Promise((resolve, reject) => {
    execFile('kcat', args, { timeout: 60_000, maxBuffer: 64 << 20 }, (err, stdout) =>
      err
        ? reject(err)
        : resolve(
            String(stdout)
              .split('\n')
              .filter((l) => l.length > 0),
          ),
    );
  });
}

t.test('fetches into recycled buffers leave every message intact', async (t) => {
  t.setTimeout(90_000);
  const running = await startBroker({ storage: 'disk' });
  t.teardown(() => running.stop());
  const kafka = new Kafka({ clientId: 'read-buffers', brokers: [running.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const expected: string[] = [];
  for (let i = 0; i < COUNT; i += 10) {
    const messages = Array.from({ length: 10 }, (_, k) => ({ key: String(i + k), value: valueOf(i + k) }));
    for (const m of messages) expected.push(`${m.key} ${m.value}`);
    await producer.send({ topic: TOPIC, messages });
  }
  await producer.disconnect();

  const reusesBefore = fetchReadBuffers.reuses;
  const consumer = kafka.consumer({ groupId: 'read-buffers', maxBytesPerPartition: 100_000 });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  const seen: string[] = [];
  const kafkajsDone = new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(`${message.key!.toString()} ${message.value!.toString()}`);
        if (seen.length === COUNT) resolve();
      },
    });
  });
  const kcats = await Promise.all([1, 2, 3].map(() => kcatConsume(running.bootstrap)));
  await kafkajsDone;
  await consumer.disconnect();
  t.ok(
    fetchReadBuffers.reuses > reusesBefore,
    `fetches read into lent-again buffers (${fetchReadBuffers.reuses - reusesBefore})`,
  );
  for (const [i, lines] of kcats.entries())
    t.same(lines, expected, `kcat consumer ${i + 1} read every message as written`);
  t.same(seen, expected, 'the kafkajs consumer read every message as written');
});

const FETCH_VERSION = 11;
/** Pipelined 1 MB fetches: more than loopback's socket buffers hold (up to 32 MiB received + 4 MiB sent here). */
const QUEUED = 80;

/** Fetch requests for partition 0 of TOPIC at `offsets`, all written at once on one connection; each response's records. */
function pipelinedFetches(
  port: number,
  offsets: number[],
  partitionMaxBytes: number,
  readOnceTrue: () => boolean = () => true,
): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    // Not read until `readOnceTrue` (bounded): the broker's answers pile up behind a full socket.
    socket.pause();
    const deadline = performance.now() + 20_000;
    const poll = (): void => {
      if (readOnceTrue() || performance.now() > deadline) socket.resume();
      else setTimeout(poll, 5);
    };
    poll();
    const records: Buffer[] = [];
    const reader = new FrameReader(
      {
        onFrame: (frame) => {
          const r = new Reader(frame);
          readResponseHeader(r, FetchApi.apiKey, FETCH_VERSION);
          const response = FetchApi.decodeResponse(r, FETCH_VERSION);
          records.push(Buffer.from(response.responses[0]!.partitions[0]!.records ?? Buffer.alloc(0)));
          if (records.length === offsets.length) {
            socket.destroy();
            resolve(records);
          }
        },
        onBadSize: (size) => reject(new Error(`bad frame size ${size}`)),
      },
      64 << 20,
    );
    socket.on('data', (data: Buffer) => reader.consume(data, 0, data.length));
    socket.once('error', reject);
    const frames = offsets.flatMap((offset, i) =>
      encodeFrame((w) => {
        writeRequestHeader(w, {
          requestApiKey: 1,
          requestApiVersion: FETCH_VERSION,
          correlationId: i,
          clientId: 'pipelined',
        });
        FetchApi.encodeRequest(w, FETCH_VERSION, {
          ...defaultFetchRequest(),
          maxBytes: 64 << 20,
          topics: [
            {
              topic: TOPIC,
              topicId: ZERO_UUID,
              partitions: [
                {
                  ...defaultFetchRequestFetchPartition(),
                  fetchOffset: BigInt(offset),
                  partitionMaxBytes,
                },
              ],
            },
          ],
        });
      }),
    );
    socket.write(Buffer.concat(frames));
  });
}

t.test('responses queued in the broker keep their own buffers', async (t) => {
  t.setTimeout(90_000);
  const running = await startBroker({ storage: 'disk' });
  t.teardown(() => running.stop());
  const kafka = new Kafka({
    clientId: 'read-buffers-queued',
    brokers: [running.bootstrap],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < 400; i += 40) {
    await producer.send({ topic: TOPIC, messages: Array.from({ length: 40 }, (_, k) => ({ value: valueOf(i + k) })) });
  }
  await producer.disconnect();
  const port = Number(running.bootstrap.split(':').pop());
  const offsets = Array.from({ length: QUEUED }, (_, i) => (i * 37) % 400);
  const alone: Buffer[] = [];
  for (const offset of offsets) alone.push(...(await pipelinedFetches(port, [offset], 1 << 20)));
  const reusesBefore = fetchReadBuffers.reuses;
  const lendingsBefore = fetchReadBuffers.lendings;
  // Read only once the broker has read every fetch into a lent buffer.
  const queued = await pipelinedFetches(
    port,
    offsets,
    1 << 20,
    () => fetchReadBuffers.lendings - lendingsBefore >= QUEUED,
  );
  t.ok(fetchReadBuffers.reuses > reusesBefore, 'the pipelined fetches reused buffers');
  t.ok(
    alone.every((b) => b.length > 500_000),
    'each fetch returned ~1 MB',
  );
  for (let i = 0; i < offsets.length; i++) {
    if (!queued[i]!.equals(alone[i]!)) t.fail(`fetch at offset ${offsets[i]} came back different when queued`);
  }
  t.pass(`${offsets.length} queued responses checked`);
});
