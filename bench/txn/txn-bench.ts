/**
 * Transactions and idempotence benchmark, kafkajs against an in-process Gregor broker:
 * 1. produce throughput, plain vs idempotent producer (batches of BATCH records, one
 *    request in flight): the cost of the producer-state check on the produce path;
 * 2. read-process-write pipeline throughput over INPUT records: one transaction per
 *    fetched batch (send + sendOffsets + commit) vs the same pipeline without
 *    transactions (send, then commitOffsets).
 * Run: npx tsx bench/txn/txn-bench.ts. Prints one JSON line per measurement.
 */
import { Kafka, logLevel } from 'kafkajs';
import { startBroker, type RunningBroker } from '../../src/index.js';

const BATCH = 100;
const PRODUCE_BATCHES = 400;
const INPUT = 20_000;

function topic(running: RunningBroker, name: string, partitions: number): void {
  const result = running.broker.controller.createTopic({ name, numPartitions: partitions, replicationFactor: 1 });
  if (result.ok) running.broker.controller.commit(result.records);
}

async function produceRate(kafka: Kafka, name: string, idempotent: boolean): Promise<number> {
  const producer = kafka.producer({ idempotent, maxInFlightRequests: 1 });
  await producer.connect();
  const messages = Array.from({ length: BATCH }, (_, i) => ({ value: `value-${i}-${'x'.repeat(90)}` }));
  for (let i = 0; i < 50; i++) await producer.send({ topic: name, messages }); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < PRODUCE_BATCHES; i++) await producer.send({ topic: name, messages });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await producer.disconnect();
  return (PRODUCE_BATCHES * BATCH) / seconds;
}

async function pipelineRate(kafka: Kafka, input: string, output: string, transactional: boolean): Promise<number> {
  const group = `bench-${output}`;
  const producer = transactional
    ? kafka.producer({ transactionalId: `bench-${output}`, idempotent: true, maxInFlightRequests: 1 })
    : kafka.producer();
  const consumer = kafka.consumer({ groupId: group, readUncommitted: false, maxBytesPerPartition: 1 << 20 });
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topic: input, fromBeginning: true });
  let done = 0;
  let start = 0n;
  let finish: () => void = () => {};
  const finished = new Promise<void>((r) => (finish = r));
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      if (start === 0n) start = process.hrtime.bigint();
      const messages = batch.messages.map((m) => ({ value: m.value, partition: batch.partition }));
      const offsets = [
        { topic: input, partitions: [{ partition: batch.partition, offset: String(Number(batch.lastOffset()) + 1) }] },
      ];
      if (transactional) {
        const tx = await producer.transaction();
        await tx.send({ topic: output, messages });
        await tx.sendOffsets({ consumerGroupId: group, topics: offsets });
        await tx.commit();
      } else {
        await producer.send({ topic: output, messages });
        await consumer.commitOffsets(offsets.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, ...p }))));
      }
      done += messages.length;
      if (done >= INPUT) finish();
    },
  });
  await finished;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await consumer.disconnect();
  await producer.disconnect();
  return INPUT / seconds;
}

async function main(): Promise<void> {
  const running = await startBroker();
  try {
    const kafka = new Kafka({ brokers: [running.bootstrap], logLevel: logLevel.NOTHING });
    for (const name of ['plain', 'idem', 'in', 'out-tx', 'out-plain'])
      topic(running, name, name === 'plain' || name === 'idem' ? 1 : 2);
    const plain: number[] = [];
    const idem: number[] = [];
    for (let round = 0; round < 3; round++) {
      plain.push(await produceRate(kafka, 'plain', false));
      idem.push(await produceRate(kafka, 'idem', true));
    }
    const best = (xs: number[]) => Math.max(...xs);
    console.log(
      JSON.stringify({
        bench: 'produce',
        plainMsgsPerSec: Math.round(best(plain)),
        idempotentMsgsPerSec: Math.round(best(idem)),
        idempotentVsPlain: +(best(idem) / best(plain)).toFixed(3),
      }),
    );

    const filler = kafka.producer();
    await filler.connect();
    const values = Array.from({ length: 500 }, (_, i) => ({ value: `in-${i}-${'y'.repeat(90)}` }));
    for (let i = 0; i < INPUT / 500; i++)
      await filler.send({ topic: 'in', messages: values.map((v, j) => ({ ...v, partition: j % 2 })) });
    await filler.disconnect();
    const plainPipe = await pipelineRate(kafka, 'in', 'out-plain', false);
    const txPipe = await pipelineRate(kafka, 'in', 'out-tx', true);
    console.log(
      JSON.stringify({
        bench: 'pipeline',
        plainMsgsPerSec: Math.round(plainPipe),
        transactionalMsgsPerSec: Math.round(txPipe),
        transactionalVsPlain: +(txPipe / plainPipe).toFixed(3),
      }),
    );
  } finally {
    await running.stop();
  }
}

await main();
