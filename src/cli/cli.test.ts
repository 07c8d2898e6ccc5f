/**
 * The CLI as users run it: `gregor start` from the built dist/, configured by a Kafka 3.9
 * KRaft combined-mode properties file, KAFKA_* environment variables and --override.
 * SIGTERM shuts down cleanly (clean-shutdown marker written, exit 0); after SIGKILL the
 * broker recovers and keeps every acknowledged message.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { Kafka, logLevel } from 'kafkajs';

import { CLI_BUILT as built, GREGOR_BIN as bin, startCli } from '../../test/helpers/cli.js';

function kraftProperties(dataDir: string): string {
  return [
    '# A Kafka 3.9 combined-mode node, as config/kraft/server.properties has it',
    'process.roles=broker,controller',
    'node.id=1',
    'controller.quorum.voters=1@127.0.0.1:19093',
    'listeners=PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0',
    'inter.broker.listener.name=PLAINTEXT',
    'advertised.listeners=PLAINTEXT://127.0.0.1:0',
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL',
    'num.network.threads=3',
    'num.io.threads=8',
    'socket.send.buffer.bytes=102400',
    `log.dirs=${dataDir}`,
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'log.retention.hours=168',
    'log.segment.bytes=1073741824',
    'log.retention.check.interval.ms=300000',
  ].join('\n');
}

t.test(
  'a KRaft server.properties starts it; SIGTERM is clean; SIGKILL loses nothing acknowledged',
  { skip: built ? false : 'dist/ is not built (npm install builds it)' },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'gregor-cli-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const dataDir = join(dir, 'data');
    const props = join(dir, 'server.properties');
    writeFileSync(props, kraftProperties(dataDir));

    // The environment overrides the file (num.partitions), as the apache/kafka image maps it.
    const first = await startCli(['--config', props], { KAFKA_NUM_PARTITIONS: '3' });
    const kafka = (port: number): Kafka => new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING });
    const producer = kafka(first.port).producer();
    await producer.connect();
    await producer.send({ topic: 'cli-topic', messages: [{ value: 'one' }, { value: 'two' }] });
    await producer.disconnect();
    const admin = kafka(first.port).admin();
    await admin.connect();
    const md = await admin.fetchTopicMetadata({ topics: ['cli-topic'] });
    t.equal(md.topics[0]!.partitions.length, 3, 'KAFKA_NUM_PARTITIONS overrides the file');
    await admin.disconnect();

    first.child.kill('SIGTERM');
    const [code] = (await once(first.child, 'exit')) as [number];
    t.equal(code, 0, 'SIGTERM exits 0');
    t.ok(existsSync(join(dataDir, '.kafka_cleanshutdown')), 'clean-shutdown marker written');

    const second = await startCli(['--config', props, '--override', 'num.partitions=3']);
    const p2 = kafka(second.port).producer();
    await p2.connect();
    await p2.send({ topic: 'cli-topic', messages: [{ value: 'three', partition: 0 }] });
    await p2.disconnect();
    second.child.kill('SIGKILL');
    await once(second.child, 'exit');

    const third = await startCli(['--config', props]);
    const a3 = kafka(third.port).admin();
    await a3.connect();
    const offsets = await a3.fetchTopicOffsets('cli-topic');
    const total = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
    t.equal(total, 3, 'all three acknowledged messages survive SIGTERM and SIGKILL');
    await a3.disconnect();
    third.child.kill('SIGTERM');
    await once(third.child, 'exit');
  },
);

t.test('gregor with no command prints usage', { skip: built ? false : 'dist/ is not built' }, async (t) => {
  const child = spawn(process.execPath, [bin], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  t.equal(code, 1);
  t.match(out, /Usage: gregor \[options\] \[command\]/);
  t.match(out, /start \[args\.\.\.\]\s+start a broker/, 'lists start among the commands');
});

t.test('gregor start --help prints the start usage', { skip: built ? false : 'dist/ is not built' }, async (t) => {
  const child = spawn(process.execPath, [bin, 'start', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  t.equal(code, 0);
  t.match(out, /usage: gregor start/);
});
