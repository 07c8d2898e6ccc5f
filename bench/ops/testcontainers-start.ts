/**
 * Start to ready through Testcontainers for Node: `npx tsx bench/ops/testcontainers-start.ts [image]`
 * with a Docker engine in DOCKER_HOST (TESTCONTAINERS_RYUK_DISABLED=true where the reaper image cannot
 * be pulled). Alternates, BENCH_STARTS (5) times each: gregor/testcontainers' GregorContainer (waits for
 * /readyz 200) and @testcontainers/kafka's KafkaContainer with the image tagged 7.9.0 and withKraft()
 * (waits for its start script's first line, copies the script in, then for the listening port 9093).
 * The time is from before start() until it resolves, then one kafkajs Metadata through the port it gives.
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import kafkajs from 'kafkajs';
import { KafkaContainer } from '@testcontainers/kafka';
import { GregorContainer } from '../../src/testcontainers/index.js';

const image = process.argv[2] ?? 'gregor:test';
const STARTS = Number(process.env.BENCH_STARTS ?? 5);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const range = (xs: number[]): string => `${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)} ms`;
const moduleImage = 'gregor-bench-kafka-module:7.9.0';

async function metadataAnswered(bootstrap: string): Promise<void> {
  const admin = new kafkajs.Kafka({ brokers: [bootstrap], logLevel: kafkajs.logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.fetchTopicMetadata({ topics: [] });
  await admin.disconnect();
}

async function main(): Promise<void> {
  execFileSync('docker', ['tag', image, moduleImage]);
  const loadBefore = loadavg();
  const gregor: number[] = [];
  const kafka: number[] = [];
  try {
    for (let i = 0; i < STARTS; i++) {
      let began = performance.now();
      const g = await new GregorContainer(image).start();
      gregor.push(performance.now() - began);
      await metadataAnswered(g.getBootstrapServers());
      await g.stop();
      began = performance.now();
      const k = await new KafkaContainer(moduleImage).withKraft().start();
      kafka.push(performance.now() - began);
      await metadataAnswered(`${k.getHost()}:${k.getMappedPort(9093)}`);
      await k.stop();
    }
  } finally {
    execFileSync('docker', ['rmi', moduleImage]);
  }
  const loadAfter = loadavg();
  console.log(
    [
      `One run of \`npx tsx bench/ops/testcontainers-start.ts ${image}\`, ${new Date().toISOString().slice(0, 16)} UTC, load average ${loadBefore.map((x) => x.toFixed(2)).join(' ')} before and ${loadAfter.map((x) => x.toFixed(2)).join(' ')} after, ${STARTS} starts each (median, min-max):`,
      '',
      '| start() to resolved (ready) | median | min-max |',
      '| --- | ---: | ---: |',
      `| GregorContainer (/readyz 200) | ${median(gregor).toFixed(0)} ms | ${range(gregor)} |`,
      `| @testcontainers/kafka KafkaContainer, tag 7.9.0, withKraft() | ${median(kafka).toFixed(0)} ms | ${range(kafka)} |`,
    ].join('\n'),
  );
}

await main();
