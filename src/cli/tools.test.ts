/**
 * The `gregor` tools as users run them against a broker on 127.0.0.1, their stdout/stderr and
 * exit codes checked, cross-checked with kafkajs (messages produced by one are read by the other;
 * keys land on the partitions kafkajs' Java-compatible partitioner picks). The built binary is
 * spawned for the first create, the produce from stdin, a usage error, a refusal and an
 * unreachable cluster (the wiring: process streams, exit codes); the other commands run in
 * this process (test/helpers/cli-in-process.ts), the same code without a process start each.
 */
import t from 'tap';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { brokerFor } from '../../test/helpers/broker.js';
import { run, type RunResult } from '../../test/helpers/external.js';
import { gregorInProcess } from '../../test/helpers/cli-in-process.js';
import { murmur2 } from '../client/partitioner.js';
import { rangeAssign } from '../client/group-member.js';

const bin = fileURLToPath(new URL('../../bin/gregor.js', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../../dist/bundle/cli.cjs', import.meta.url)));

/** The command in this process. */
function gregor(bootstrap: string, args: string[], input?: string): Promise<RunResult> {
  return gregorInProcess(args, { ...(input === undefined ? {} : { input }), env: { GREGOR_BROKERS: bootstrap } });
}

/** The built binary, spawned. */
function gregorBinary(bootstrap: string, args: string[], input?: string): Promise<RunResult> {
  return run(process.execPath, [bin, ...args], {
    input,
    timeoutMs: 60_000,
    env: { GREGOR_BROKERS: bootstrap, GREGOR_LOG_LEVEL: '' },
  });
}

t.test('murmur2 matches Kafka’s reference values', async (t) => {
  // Values from Kafka's own UtilsTest / the Java client's partitioner for these keys.
  t.equal(murmur2(Buffer.from('21')), -973932308);
  t.equal(murmur2(Buffer.from('foobar')), -790332482);
  t.equal(murmur2(Buffer.from('a-little-bit-long-string')), -985981536);
  t.equal(murmur2(Buffer.from('')), 275646681);
});

t.test('range assignment spreads partitions over sorted members', async (t) => {
  t.same(
    [...rangeAssign(['b', 'a'], 5)],
    [
      ['a', [0, 1, 2]],
      ['b', [3, 4]],
    ],
  );
  t.same(
    [...rangeAssign(['a', 'b', 'c'], 2)],
    [
      ['a', [0]],
      ['b', [1]],
      ['c', []],
    ],
  );
});

t.test(
  'topic, produce, consume, group and cluster commands against a broker',
  { skip: built ? false : 'dist/ is not built (npm install builds it)' },
  async (t) => {
    const broker = await brokerFor(t);
    const b = broker.bootstrap;
    const kafka = new Kafka({ brokers: [b], logLevel: logLevel.NOTHING, clientId: 'tools-test' });

    const created = await gregorBinary(b, [
      'topic',
      'create',
      'orders',
      '-p',
      '3',
      '-c',
      'retention.ms=3600000',
      '--format',
      'json',
    ]);
    t.equal(created.code, 0, created.stderr);
    t.match(JSON.parse(created.stdout), [{ name: 'orders', partitions: 3, replicationFactor: 1 }]);

    const again = await gregor(b, ['topic', 'create', 'orders']);
    t.equal(again.code, 1, 'creating it again fails');
    t.match(again.stderr, /TOPIC_ALREADY_EXISTS/);

    const badUsage = await gregorBinary(b, ['topic', 'create', 'x', '-p', 'abc']);
    t.equal(badUsage.code, 2, 'a usage mistake exits 2');
    t.match(badUsage.stderr, /--partitions takes a whole number/);

    const list = await gregor(b, ['topic', 'list']);
    t.match(list.stdout, /^NAME\s+PARTITIONS\s+REPLICATION-FACTOR\s+INTERNAL\norders\s+3\s+1\s+false/m);

    const lines = Array.from({ length: 30 }, (_, i) => `key-${i}:value-${i}`).join('\n');
    const produced = await gregorBinary(
      b,
      ['produce', 'orders', '-k', ':', '-H', 'source=cli', '-z', 'gzip'],
      `${lines}\n`,
    );
    t.equal(produced.code, 0, produced.stderr);
    t.match(produced.stderr, /produced 30 message\(s\)/);

    // kafkajs reads what the CLI wrote, on the partitions kafkajs' own partitioner picks for each key.
    const partitioner = Partitioners.DefaultPartitioner();
    const consumer = kafka.consumer({ groupId: 'kafkajs-reader' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'orders', fromBeginning: true });
    const seen: Array<{ key: string; value: string; partition: number; header: string }> = [];
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message, partition }) => {
            seen.push({
              key: String(message.key),
              value: String(message.value),
              partition,
              header: String(message.headers?.['source']),
            });
            if (seen.length === 30) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    t.equal(seen.length, 30);
    for (const m of seen) {
      t.equal(m.value, m.key.replace('key', 'value'));
      t.equal(m.header, 'cli');
      const expected = partitioner({
        topic: 'orders',
        partitionMetadata: [0, 1, 2].map((p) => ({
          partitionId: p,
          leader: 1,
          partitionErrorCode: 0,
          replicas: [1],
          isr: [1],
        })),
        message: { key: m.key, value: null },
      });
      t.equal(m.partition, expected, `key ${m.key} on kafkajs' partition`);
    }

    // kafkajs writes; the CLI reads everything back as JSON and stops at the end (-e).
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic: 'orders', messages: [{ key: 'js', value: 'from kafkajs', headers: { h: 'v' } }] });
    await producer.disconnect();
    const all = await gregor(b, ['consume', 'orders', '--from-beginning', '-e', '--format', 'json']);
    t.equal(all.code, 0, all.stderr);
    const records = all.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { key: string; value: string; headers: Record<string, string>; offset: string });
    t.equal(records.length, 31);
    t.match(
      records.find((r) => r.key === 'js'),
      { value: 'from kafkajs', headers: { h: 'v' } },
    );

    // A group: read 10, commit on exit; describe shows the lag; reset to earliest brings it back to 31.
    const first = await gregor(b, ['consume', 'orders', '-g', 'cli-group', '--from-beginning', '-n', '10']);
    t.equal(first.code, 0, first.stderr);
    t.equal(first.stdout.trim().split('\n').length, 10);
    const described = await gregor(b, ['group', 'describe', 'cli-group', '--format', 'json']);
    t.equal(described.code, 0, described.stderr);
    t.equal(JSON.parse(described.stdout).totalLag, '21', 'lag after reading 10 of 31');
    const text = await gregor(b, ['group', 'describe', 'cli-group']);
    t.match(text.stdout, /TOTAL LAG\s+21/);
    t.match(text.stdout, /TOPIC\s+PARTITION\s+COMMITTED-OFFSET\s+LOG-END-OFFSET\s+LAG\s+OWNER/);

    const dry = await gregor(b, ['group', 'reset-offsets', 'cli-group', '--to-earliest', '--dry-run']);
    t.equal(dry.code, 0, dry.stderr);
    t.match(dry.stdout, /dry run/);
    t.equal(
      JSON.parse((await gregor(b, ['group', 'describe', 'cli-group', '--format', 'json'])).stdout).totalLag,
      '21',
      'a dry run changes nothing',
    );
    const reset = await gregor(b, ['group', 'reset-offsets', 'cli-group', '--to-earliest']);
    t.equal(reset.code, 0, reset.stderr);
    t.equal(
      JSON.parse((await gregor(b, ['group', 'describe', 'cli-group', '--format', 'json'])).stdout).totalLag,
      '31',
    );
    const shift = await gregor(b, ['group', 'reset-offsets', 'cli-group', '--shift-by', '2', '--format', 'json']);
    t.equal(shift.code, 0, shift.stderr);
    t.equal(
      JSON.parse((await gregor(b, ['group', 'describe', 'cli-group', '--format', 'json'])).stdout).totalLag,
      '25',
    );
    const twoTargets = await gregor(b, ['group', 'reset-offsets', 'cli-group', '--to-earliest', '--to-latest']);
    t.equal(twoTargets.code, 2);

    // A group that does not exist yet can be given offsets before its first start, as
    // kafka-consumer-groups.sh allows (Kafka's "Dead" state); a kafkajs consumer then starts there.
    const noScope = await gregor(b, ['group', 'reset-offsets', 'fresh-group', '--to-latest']);
    t.equal(noScope.code, 1, 'a new group has no topics to default to');
    t.match(noScope.stderr, /fresh-group has no committed offsets: name the topics/);
    const fresh = await gregor(b, ['group', 'reset-offsets', 'fresh-group', '-t', 'orders', '--to-latest']);
    t.equal(fresh.code, 0, fresh.stderr);
    t.match(fresh.stdout, /reset 3 partition\(s\)/);
    const admin = kafka.admin();
    await admin.connect();
    t.teardown(() => admin.disconnect());
    const freshOffsets = await admin.fetchOffsets({ groupId: 'fresh-group', topics: ['orders'] });
    t.same(
      freshOffsets[0]?.partitions.map((p) => p.offset).sort(),
      (await admin.fetchTopicOffsets('orders')).map((p) => p.high).sort(),
      'the new group starts at the log end',
    );

    // A group with a live member is refused, a dry run too (kafka-consumer-groups.sh's rule).
    const live = kafka.consumer({ groupId: 'live-group' });
    t.teardown(() => live.disconnect());
    const joined = new Promise<void>((resolve) => live.on(live.events.GROUP_JOIN, () => resolve()));
    await live.connect();
    await live.subscribe({ topic: 'orders' });
    await live.run({ eachMessage: async () => {} });
    await joined;
    const refused = await gregor(b, ['group', 'reset-offsets', 'live-group', '--to-earliest', '--dry-run']);
    t.equal(refused.code, 1);
    t.match(
      refused.stderr,
      /Assignments can only be reset if the group 'live-group' is inactive, but the current state is Stable/,
    );
    await live.disconnect();

    const groups = await gregor(b, ['group', 'list', '--format', 'json']);
    t.match(JSON.parse(groups.stdout), [
      { groupId: 'cli-group' },
      { groupId: 'fresh-group', state: 'Empty', protocolType: '' },
      { groupId: 'kafkajs-reader' },
      { groupId: 'live-group' },
    ]);

    // Configs and partitions.
    const altered = await gregor(b, [
      'topic',
      'alter-config',
      'orders',
      '-s',
      'cleanup.policy=compact',
      '-d',
      'retention.ms',
    ]);
    t.equal(altered.code, 0, altered.stderr);
    const grown = await gregor(b, ['topic', 'add-partitions', 'orders', '-n', '4']);
    t.equal(grown.code, 0, grown.stderr);
    const detail = JSON.parse((await gregor(b, ['topic', 'describe', 'orders', '--format', 'json'])).stdout) as {
      partitions: number;
      partitionDetails: Array<{ leader: number; isr: number[]; logEndOffset: string }>;
      configs: Array<{ name: string; value: string; source: string }>;
    };
    t.equal(detail.partitions, 4);
    t.equal(
      detail.partitionDetails.reduce((sum, p) => sum + Number(p.logEndOffset), 0),
      31,
    );
    t.match(
      detail.configs.find((c) => c.name === 'cleanup.policy'),
      { value: 'compact', source: 'DYNAMIC_TOPIC_CONFIG' },
    );
    t.equal(detail.configs.find((c) => c.name === 'retention.ms')?.source, 'DEFAULT_CONFIG');

    const info = await gregor(b, ['cluster', 'info', '--format', 'json']);
    t.equal(info.code, 0, info.stderr);
    t.match(JSON.parse(info.stdout), {
      controllerId: 1,
      brokers: [{ id: 1, host: '127.0.0.1' }],
      quorum: { leaderId: 1, replicas: [{ id: 1, role: 'voter', lag: '0' }] },
    });

    const fromFile = join(mkdtempSync(join(tmpdir(), 'gregor-tools-')), 'lines.txt');
    writeFileSync(fromFile, 'a:one\nb:two\nc:three\n');
    // orders is compacted now: keys are required (a keyless message would get INVALID_RECORD)
    const filed = await gregor(b, ['produce', 'orders', '-f', fromFile, '-k', ':', '-p', '3', '--acks', '1']);
    t.equal(filed.code, 0, filed.stderr);
    const partition3 = await gregor(b, ['consume', 'orders', '-p', '3', '--from-beginning', '-e']);
    t.equal(partition3.stdout, 'one\ntwo\nthree\n');
    const noSuchPartition = await gregor(b, ['consume', 'orders', '-p', '9', '-e']);
    t.equal(noSuchPartition.code, 1, 'a partition the topic lacks is an error (exit 1), not a usage mistake');
    t.match(noSuchPartition.stderr, /orders has no partition 9/);

    t.equal((await gregor(b, ['group', 'delete', 'cli-group'])).code, 0);
    const deleted = await gregor(b, ['topic', 'delete', 'orders']);
    t.equal(deleted.code, 0, deleted.stderr);
    const missing = await gregorBinary(b, ['topic', 'describe', 'orders']);
    t.equal(missing.code, 1);
    t.match(missing.stderr, /UNKNOWN_TOPIC_OR_PARTITION/);
  },
);

t.test('produce to a topic that does not exist: auto-created as kcat and kafka-console-producer.sh do', async (t) => {
  const running = await brokerFor(t);
  const produced = await gregor(running.bootstrap, ['produce', 'fresh', '-k', ':'], 'a:one\nb:two\n');
  t.equal(produced.code, 0, produced.stderr);
  t.match(produced.stderr, /produced 2 message\(s\)/);
  const consumed = await gregor(running.bootstrap, ['consume', 'fresh', '--from-beginning', '-e', '--format', 'kv']);
  t.equal(consumed.code, 0, consumed.stderr);
  t.same(consumed.stdout.trim().split('\n').sort(), ['a\tone', 'b\ttwo'].sort(), 'both messages read back');

  const strict = await brokerFor(t, { config: { 'auto.create.topics.enable': false } });
  const refused = await gregor(strict.bootstrap, ['produce', 'fresh'], 'x\n');
  t.equal(refused.code, 1, 'with auto.create.topics.enable=false the topic is not made');
  t.match(refused.stderr, /UNKNOWN_TOPIC_OR_PARTITION/);
  t.equal(strict.broker.replicas.get('fresh', 0), undefined, 'and nothing was created');
});

t.test(
  'an unreachable cluster is one clear line and exit 1',
  { skip: built ? false : 'dist/ is not built' },
  async (t) => {
    const result = await gregorBinary('127.0.0.1:1', ['topic', 'list']);
    t.equal(result.code, 1);
    t.match(result.stderr, /^error: 127\.0\.0\.1:1: connect ECONNREFUSED/);
    t.notMatch(result.stderr, /\n\s+at /, 'no stack trace');
  },
);
