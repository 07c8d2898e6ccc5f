/**
 * librdkafka (through Debian's python3-confluent-kafka 1.7.0) against Gregor's
 * transactions: the read-process-write pipeline of txn_pipeline.py, run once until it
 * is killed mid-transaction and again to the end under the same transactional.id; the
 * output read with read_committed must equal the input exactly once, in order per
 * partition. Skipped when python3 or confluent_kafka is absent.
 */
import t from 'tap';
import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { brokerFor } from '../../test/helpers/broker.js';
import { createTopic } from '../../test/helpers/topics.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./txn_pipeline.py', import.meta.url));
const PARTITIONS = 2;
const PER_PARTITION = 20;

const available = spawnSync(PYTHON, ['-c', 'import confluent_kafka'], { stdio: 'ignore' }).status === 0;

function python(args: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [SCRIPT, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`${String(error)}\n${stderr}`));
      const lines = stdout.trim().split('\n');
      resolve(JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>);
    });
  });
}

t.test(
  'confluent-kafka transactional pipeline: killed and restarted, output exactly once',
  { skip: available ? false : 'python3-confluent-kafka not installed' },
  async (t) => {
    const running = await brokerFor(t);
    createTopic(running, 'in', { partitions: PARTITIONS });
    createTopic(running, 'out', { partitions: PARTITIONS });
    const kafka = new Kafka({ brokers: [running.bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const input = new Map<string, string[]>();
    for (let p = 0; p < PARTITIONS; p++) {
      const values = Array.from({ length: PER_PARTITION }, (_, i) => `rdk-p${p}-${i}`);
      input.set(String(p), values);
      await producer.send({ topic: 'in', messages: values.map((value) => ({ partition: p, value })) });
    }
    await producer.disconnect();
    const total = String(PARTITIONS * PER_PARTITION);

    const first = await python([running.bootstrap, 'run', total, '2']);
    t.equal(first.crashed, true, 'the first run was killed inside a transaction');
    const second = await python([running.bootstrap, 'run', total]);
    t.equal(second.crashed, false);
    const output = await python([running.bootstrap, 'verify', String(PARTITIONS)]);
    for (let p = 0; p < PARTITIONS; p++)
      t.same(output[String(p)], input.get(String(p)), `partition ${p}: every input once, in order`);
  },
);
