/**
 * FramePool: which buffers it keeps and hands out again; and, end to end, that recycling Produce
 * frames never changes what was written: kafkajs sends many large, distinct messages with several
 * requests in flight to a broker on disk and to one in memory, the pool is seen reusing buffers, and
 * a consumer reads every message back byte for byte.
 */
import { createHash } from 'node:crypto';
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '../index.js';
import { FramePool, isProduceFrame, requestFramePool } from './frame-pool.js';

t.test('small frames are not pooled; large ones are kept by capacity and reused when they fit', async (t) => {
  const pool = new FramePool(1024 * 1024);
  const small = pool.take(100);
  t.equal(small.length, 100);
  pool.give(small);
  t.equal(pool.keptBytes, 0, 'a small frame is left to the GC');

  const large = pool.take(100_000);
  t.equal(large.length, 100_000);
  t.equal(large.buffer.byteLength, 128 * 1024, 'capacity rounded up to 64 KiB');
  pool.give(large);
  t.equal(pool.keptBytes, 128 * 1024);

  const tooBig = pool.take(300_000);
  t.not(tooBig.buffer, large.buffer, 'a kept buffer smaller than the frame is not used');
  const fits = pool.take(70_000);
  t.equal(fits.buffer, large.buffer, 'the kept buffer is reused for a frame it fits');
  t.equal(fits.length, 70_000);
  t.equal(pool.keptBytes, 0);
  t.equal(pool.reuses, 1);

  pool.give(tooBig);
  pool.give(fits);
  const many = Array.from({ length: 10 }, () => pool.take(200_000));
  for (const b of many) pool.give(b);
  t.ok(pool.keptBytes <= 1024 * 1024, 'never more than the cap is kept');

  const foreign = Buffer.allocUnsafeSlow(128 * 1024);
  const before = pool.keptBytes;
  pool.give(foreign);
  t.equal(pool.keptBytes, before, 'a buffer the pool did not hand out is not taken');

  const other = new FramePool(1024 * 1024);
  const frame = other.take(200_000);
  other.give(frame.subarray(1000, 5000));
  other.give(frame);
  t.equal(other.keptBytes, 256 * 1024, 'a view gives back its whole buffer, and a buffer given twice is kept once');
  const a = other.take(200_000);
  const b = other.take(200_000);
  t.not(a.buffer, b.buffer, 'so it is never handed out twice at once');

  t.ok(isProduceFrame(Buffer.from([0, 0, 0, 9])));
  t.notOk(isProduceFrame(Buffer.from([0, 1, 0, 9])), 'Fetch is not given back');
});

for (const storage of ['disk', 'memory'] as const) {
  t.test(`recycled Produce frames leave every message intact (${storage})`, async (t) => {
    t.setTimeout(90_000);
    const running = await startBroker({ storage });
    t.teardown(() => running.stop());
    const kafka = new Kafka({ clientId: 'frame-pool', brokers: [running.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'pooled', numPartitions: 2 }], waitForLeaders: true });
    await admin.disconnect();

    const producer = kafka.producer();
    await producer.connect();
    const reusesBefore = requestFramePool.reuses;
    const value = (i: number): Buffer => {
      const b = Buffer.allocUnsafe(40_000 + (i % 7) * 1000);
      for (let at = 0; at < b.length; at += 32) createHash('sha256').update(`${i}:${at}`).digest().copy(b, at);
      return b;
    };
    const sends = [];
    const expected = new Map<string, string>();
    for (let i = 0; i < 120; i++) {
      const v = value(i);
      expected.set(String(i), createHash('sha256').update(v).digest('hex'));
      // Five messages per request, several requests in flight on one connection.
      if (i % 5 === 4) {
        const batch = Array.from({ length: 5 }, (_, k) => ({ key: String(i - 4 + k), value: value(i - 4 + k) }));
        sends.push(producer.send({ topic: 'pooled', messages: batch }));
        if (sends.length % 6 === 0) await Promise.all(sends.splice(0));
      }
    }
    await Promise.all(sends);
    await producer.disconnect();
    t.ok(
      requestFramePool.reuses > reusesBefore,
      `Produce frames reused pooled buffers (${requestFramePool.reuses - reusesBefore})`,
    );

    const consumer = kafka.consumer({ groupId: `frame-pool-${storage}` });
    await consumer.connect();
    await consumer.subscribe({ topic: 'pooled', fromBeginning: true });
    const seen = new Map<string, string>();
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.set(message.key!.toString(), createHash('sha256').update(message.value!).digest('hex'));
          if (seen.size === expected.size) resolve();
        },
      });
    });
    await consumer.disconnect();
    t.equal(seen.size, 120);
    t.same([...seen].sort(), [...expected].sort(), 'every message reads back as sent');
  });
}
