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
    await admin.fetchTopicMetadata({ topics: [] }).catch(() => undefined);
    await admin.describeCluster();
    await admin.disconnect();
  });
  writeFileSync(new URL('kafkajs.json', out), JSON.stringify(unique(kafkajs), null, 1) + '\n');

  const kcat = await withProxy(broker.port, async (port) => {
    advertise(port);
    try {
      await run('kcat', ['-b', `127.0.0.1:${port}`, '-L', '-m', '5'], 10000);
    } catch {
      // kcat exits non-zero when the broker lacks an API it wants; the frames are still captured.
    }
  });
  writeFileSync(new URL('kcat.json', out), JSON.stringify(unique(kcat), null, 1) + '\n');

  const python = await withProxy(broker.port, async (port) => {
    advertise(port);
    try {
      await run('/usr/bin/python3', ['-c', `from kafka import KafkaAdminClient\nc=KafkaAdminClient(bootstrap_servers='127.0.0.1:${port}',request_timeout_ms=5000)\nc.list_topics()\nc.close()`], 20000);
    } catch {
      // as above
    }
  });
  writeFileSync(new URL('kafka-python.json', out), JSON.stringify(unique(python), null, 1) + '\n');
  await broker.stop();
  console.log(`captured ${unique(kafkajs).length} kafkajs, ${unique(kcat).length} kcat, ${unique(python).length} kafka-python frames`);
}

void main();
