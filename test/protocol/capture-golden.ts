/**
 * Captures golden request frames from real clients: starts a broker, puts a recording
 * proxy in front of it, runs each client, and writes the frames it sent (hex) to
 * test/protocol/golden/<client>.json. Run by hand: `npx tsx test/protocol/capture-golden.ts`.
 * The golden test then decodes every frame and re-encodes it byte for byte.
 */
import { createServer, Socket } from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '../../src/index.js';

interface Captured {
  apiKey: number;
  apiVersion: number;
  hex: string;
}

async function withProxy(target: number, run: (port: number) => Promise<void>): Promise<Captured[]> {
  const frames: Captured[] = [];
  const server = createServer((client) => {
    const upstream = new Socket();
    upstream.connect(target, '127.0.0.1');
    let pending = Buffer.alloc(0);
    client.on('data', (d: Buffer) => {
      pending = Buffer.concat([pending, d]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        const size = pending.readInt32BE(0);
        const frame = pending.subarray(4, 4 + size);
        frames.push({ apiKey: frame.readInt16BE(0), apiVersion: frame.readInt16BE(2), hex: frame.toString('hex') });
        pending = pending.subarray(4 + size);
      }
      upstream.write(d);
    });
    upstream.on('data', (d) => client.write(d));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  try {
    await run(port);
  } finally {
    server.close();
  }
  return frames;
}

/** Runs a client without blocking the proxy, which lives in this process. */
async function run(command: string, args: string[], timeout: number): Promise<void> {
  await promisify(execFile)(command, args, { timeout });
}

async function runWithInput(command: string, args: string[], input: string, timeout: number): Promise<void> {
  await new Promise<void>((resolve) => {
    const child = execFile(command, args, { timeout }, () => resolve());
    child.stdin?.end(input);
  });
}

function unique(frames: Captured[]): Captured[] {
  const seen = new Set<string>();
  return frames.filter((f) => {
    const key = `${f.apiKey}:${f.apiVersion}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

async function main(): Promise<void> {
  const broker = await startBroker({ config: { 'auto.create.topics.enable': true } });
  const out = new URL('./golden/', import.meta.url);
  const image = broker.broker.controller.image;
  const advertise = (port: number): void => {
    for (const b of image.brokers.values()) for (const e of b.endpoints) e.port = port;
  };
  // Advertise the proxy's port, so clients keep talking through it after bootstrap.
  const kafkajs = await withProxy(broker.port, async (port) => {
    advertise(port);
    const kafka = new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'golden', numPartitions: 1 }] });
    await admin.fetchTopicMetadata({ topics: ['golden'] });
    await admin.describeCluster();
    await admin.describeConfigs({ resources: [{ type: 2, name: 'golden' }], includeSynonyms: true });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'golden', messages: [{ key: 'k', value: 'v', headers: { h: 'x' } }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: 'golden-group', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'golden', fromBeginning: true });
    await new Promise<void>((resolve) => {
      void consumer.run({ eachMessage: async () => resolve() });
    });
    await consumer.disconnect();
    await admin.fetchOffsets({ groupId: 'golden-group', topics: ['golden'] });
    await admin.describeGroups(['golden-group']);
    await admin.deleteTopics({ topics: ['golden'] });
    await admin.disconnect();
  });
  writeFileSync(new URL('kafkajs.json', out), JSON.stringify(unique(kafkajs), null, 1) + '\n');

  const kcat = await withProxy(broker.port, async (port) => {
    advertise(port);
    try {
      await run('kcat', ['-b', `127.0.0.1:${port}`, '-L', '-m', '5'], 10000);
      await runWithInput(
        'kcat',
        ['-P', '-b', `127.0.0.1:${port}`, '-t', 'golden-kcat', '-z', 'zstd', '-K', ':'],
        'k:v\n',
        10000,
      );
      await run('kcat', ['-C', '-b', `127.0.0.1:${port}`, '-t', 'golden-kcat', '-o', 'beginning', '-e'], 10000);
      await run('kcat', ['-Q', '-b', `127.0.0.1:${port}`, '-t', 'golden-kcat:0:0'], 10000);
    } catch {
      // kcat exits non-zero when the broker lacks an API it wants; the frames are still captured.
    }
  });
  writeFileSync(new URL('kcat.json', out), JSON.stringify(unique(kcat), null, 1) + '\n');

  const python = await withProxy(broker.port, async (port) => {
    advertise(port);
    try {
      await run(
        '/usr/bin/python3',
        [
          '-c',
          `from kafka import KafkaAdminClient\nc=KafkaAdminClient(bootstrap_servers='127.0.0.1:${port}',request_timeout_ms=5000)\nc.list_topics()\nc.close()`,
        ],
        20000,
      );
      await run(
        '/usr/bin/python3',
        [
          '-c',
          `from kafka import KafkaProducer, KafkaConsumer, TopicPartition\np=KafkaProducer(bootstrap_servers='127.0.0.1:${port}', compression_type='snappy')\np.send('golden-py', b'v', key=b'k').get(10)\np.close()\nc=KafkaConsumer(bootstrap_servers='127.0.0.1:${port}', consumer_timeout_ms=3000)\ntp=TopicPartition('golden-py',0)\nc.assign([tp])\nc.seek_to_beginning(tp)\nnext(c)\nc.close()`,
        ],
        30000,
      );
    } catch {
      // as above
    }
  });
  writeFileSync(new URL('kafka-python.json', out), JSON.stringify(unique(python), null, 1) + '\n');
  await broker.stop();
  console.log(
    `captured ${unique(kafkajs).length} kafkajs, ${unique(kcat).length} kcat, ${unique(python).length} kafka-python frames`,
  );
}

void main();
