/**
 * kafka-server-stop.sh, kafka-broker-api-versions.sh, kafka-delete-records.sh, kafka-log-dirs.sh and kafka-leader-election.sh as processes (bin/kafka/<tool>.sh) against a broker on 127.0.0.1:
 * Kafka's per-broker listing, checked against the broker's own ApiVersions answer (a raw
 * request), and the missing --bootstrap-server refusal. kafka-server-stop.sh is only ever run
 * here with --node-id of the brokers the test starts (ids no other broker uses), so other
 * brokers on the machine are never signalled.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { brokerFor } from '../../test/helpers/broker.js';
import { CLI_SKIP, startCli } from '../../test/helpers/cli.js';
import { brokerWithAdmin, kafkaTool } from '../../test/helpers/kafka-tools.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { ApiVersionsApi, defaultApiVersionsRequest } from '../../protocol/generated/messages/18-api-versions.js';

t.test('kafka-broker-api-versions: one listing per broker, as Kafka prints it', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(60_000);
  const broker = await brokerFor(t);
  const b = broker.bootstrap;
  const port = Number(b.split(':')[1]);
  const raw = await rawClient(port);
  t.teardown(() => raw.close());
  const answer = await raw.call(ApiVersionsApi, 3, defaultApiVersionsRequest());

  const r = await kafkaTool('kafka-broker-api-versions', ['--bootstrap-server', b]);
  t.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  t.match(lines[0], new RegExp(`^127\\.0\\.0\\.1:${port} \\(id: \\d+ rack: null\\) -> \\($`));
  t.same(lines.slice(-2), [')', '']);
  const apis = lines.slice(1, -2);
  const shape = /^\t\w+\(\d+\): (UNSUPPORTED|\d+( to \d+)? \[(usable: \d+|unusable: node too (old|new))\]),$/;
  t.ok(
    apis.slice(0, -1).every((l) => shape.test(l)),
    'each API a line, `Name(key): min to max [usable: v],`',
  );
  t.match(`${apis.at(-1)},`, shape, 'the last one without a comma');
  const listed = apis.filter((l) => !l.includes('UNSUPPORTED'));
  t.equal(listed.length, answer.apiKeys.length, 'every API the broker serves, once');
  const produce = answer.apiKeys.find((k) => k.apiKey === 0)!;
  t.ok(apis.includes(`\tProduce(0): ${produce.minVersion} to ${produce.maxVersion} [usable: ${produce.maxVersion}],`));
  t.ok(apis.includes('\tApiVersions(18): 0 to 4 [usable: 4],'));
  t.ok(apis.includes('\tLeaderAndIsr(4): UNSUPPORTED,'), 'the ZooKeeper-era APIs a KRaft broker does not serve');
  const keys = apis.map((l) => Number(/\((\d+)\)/.exec(l)![1]));
  t.same(
    keys,
    [...keys].sort((x, y) => x - y),
    'in API key order',
  );

  const missing = await kafkaTool('kafka-broker-api-versions', []);
  t.equal(missing.code, 1);
  t.match(missing.stderr, /^This tool helps to retrieve broker version information./);
  const noServer = await kafkaTool('kafka-broker-api-versions', ['--command-config', '/dev/null']);
  t.equal(noServer.code, 1);
  t.match(noServer.stderr, /^Missing required argument "\[bootstrap-server\]"/);
});

t.test('kafka-server-stop: signals only the Gregor brokers matched by --node-id', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'gregor-stop-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const base = 60_000 + Math.floor(Math.random() * 30_000);
  const [idFromFile, idFromOverride] = [base, base + 1];
  const props = join(dir, 'server.properties');
  writeFileSync(props, `node.id=${idFromFile}\nlisteners=PLAINTEXT://127.0.0.1:0\n`);
  const fromFile = await startCli(['--in-memory', '--config', props]);
  t.teardown(() => fromFile.stop('SIGKILL'));
  const fromOverride = await startCli([
    '--in-memory',
    '--override',
    `node.id=${idFromOverride}`,
    '--override',
    'listeners=PLAINTEXT://127.0.0.1:0',
  ]);
  t.teardown(() => fromOverride.stop('SIGKILL'));

  const firstExit = once(fromFile.child, 'exit') as Promise<[number | null, string | null]>;
  const stopped = await kafkaTool('kafka-server-stop', [`--node-id=${idFromFile}`]);
  t.equal(stopped.code, 0, stopped.stderr);
  t.equal(stopped.stdout, '');
  const [code] = await firstExit;
  t.equal(code, 0, 'SIGTERM: the broker shuts down cleanly');
  t.equal(fromOverride.child.exitCode, null, 'the other broker keeps running');

  const again = await kafkaTool('kafka-server-stop', [`--node-id=${idFromFile}`]);
  t.equal(again.code, 1);
  t.equal(again.stdout, 'No kafka server to stop\n');

  const secondExit = once(fromOverride.child, 'exit') as Promise<[number | null, string | null]>;
  const byOverride = await kafkaTool('kafka-server-stop', [`--node-id=${idFromOverride}`]);
  t.equal(byOverride.code, 0, byOverride.stderr);
  t.equal((await secondExit)[0], 0);

  const usage = await kafkaTool('kafka-server-stop', ['--node-id=1', '--process-role=broker']);
  t.equal(usage.code, 1);
  t.match(usage.stderr, /^Usage: kafka-server-stop.sh \[--process-role=value\] \| \[--node-id=value\]/);
});

t.test('kafka-delete-records: low watermarks per partition, errors, bad files', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(60_000);
  const { b, kafka, admin } = await brokerWithAdmin(t);
  await admin.createTopics({ topics: [{ topic: 'trim', numPartitions: 2 }] });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: 'trim',
    messages: Array.from({ length: 20 }, (_, i) => ({ value: `m${i}`, partition: i % 2 })),
  });
  await producer.disconnect();
  const dir = mkdtempSync(join(tmpdir(), 'gregor-delete-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const plan = file(
    'plan.json',
    JSON.stringify({
      partitions: [
        { topic: 'trim', partition: 1, offset: -1 },
        { topic: 'trim', partition: 0, offset: 4 },
        { topic: 'trim', partition: 7, offset: 1 },
      ],
      version: 1,
    }),
  );
  const r = await kafkaTool('kafka-delete-records', ['--bootstrap-server', b, '--offset-json-file', plan]);
  t.equal(r.code, 0, r.stderr);
  t.equal(
    r.stdout,
    'Executing records delete operation\nRecords delete operation completed:\n' +
      'partition: trim-0\tlow_watermark: 4\n' +
      'partition: trim-1\tlow_watermark: 10\n' +
      'partition: trim-7\terror: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.\n',
  );
  const offsets = await admin.fetchTopicOffsets('trim');
  t.same(
    offsets.map((o) => [o.partition, o.low]).sort(),
    [
      [0, '4'],
      [1, '10'],
    ],
    'kafkajs sees the new log start offsets',
  );
  const beyond = file('beyond.json', JSON.stringify({ partitions: [{ topic: 'trim', partition: 0, offset: 99 }] }));
  const past = await kafkaTool('kafka-delete-records', ['--bootstrap-server', b, '--offset-json-file', beyond]);
  t.match(
    past.stdout,
    /partition: trim-0\terror: org.apache.kafka.common.errors.OffsetOutOfRangeException: The requested offset is not within the range/,
  );

  const bad: Array<[string, RegExp]> = [
    ['{not json', /AdminOperationException: The input string is not a valid JSON/],
    ['{"version": 1}', /AdminOperationException: Missing partitions field/],
    ['{"version": 2, "partitions": []}', /Not supported version field value 2/],
    [
      JSON.stringify({
        partitions: [
          { topic: 'trim', partition: 0, offset: 1 },
          { topic: 'trim', partition: 0, offset: 2 },
        ],
      }),
      /AdminCommandFailedException: Offset json file contains duplicate topic partitions: trim-0/,
    ],
  ];
  for (const [text, message] of bad) {
    const res = await kafkaTool('kafka-delete-records', [
      '--bootstrap-server',
      b,
      '--offset-json-file',
      file('bad.json', text),
    ]);
    t.equal(res.code, 1, text);
    t.match(res.stderr, message);
  }
  const missing = await kafkaTool('kafka-delete-records', ['--bootstrap-server', b]);
  t.equal(missing.code, 1);
  t.match(missing.stderr, /^Missing required argument "\[offset-json-file\]"/);
});

t.test('kafka-log-dirs --describe: the JSON line of each broker', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(60_000);
  const { b, admin } = await brokerWithAdmin(t);
  await admin.createTopics({ topics: [{ topic: 'sized', numPartitions: 2 }, { topic: 'other' }] });
  const r = await kafkaTool('kafka-log-dirs', ['--bootstrap-server', b, '--describe', '--topic-list', 'sized']);
  t.equal(r.code, 0, r.stderr);
  const [querying, received, json, end] = r.stdout.split('\n');
  t.equal(querying, 'Querying brokers for log directories information');
  t.match(received, /^Received log directory information from brokers \d+$/);
  t.equal(end, '');
  t.match(
    json,
    /^\{"brokers":\[\{"broker":\d+,"logDirs":\[\{"partitions":\[.*\],"error":(null|"org\.apache\.kafka\.common\.errors\.\w+Exception"),"logDir":".*"\}\]\}\],"version":1\}$/,
  );
  const parsed = JSON.parse(json!) as {
    brokers: Array<{
      logDirs: Array<{ error: string | null; partitions: Array<{ partition: string; size: number }> }>;
    }>;
  };
  const dirs = parsed.brokers[0]!.logDirs;
  if (dirs[0]?.error === null)
    t.same(
      dirs.flatMap((d) => d.partitions.map((p) => p.partition)),
      ['sized-0', 'sized-1'],
      'only the listed topic, its partitions in order',
    );
  const missing = await kafkaTool('kafka-log-dirs', ['--bootstrap-server', b, '--describe', '--broker-list', '1,987']);
  t.equal(missing.code, 1);
  t.match(
    missing.stderr,
    /^ERROR: The given brokers do not exist from --broker-list: 987\. Current existent brokers: \d+/,
  );
  const noDescribe = await kafkaTool('kafka-log-dirs', ['--bootstrap-server', b]);
  t.equal(noDescribe.code, 1);
  t.match(noDescribe.stderr, /^Missing required argument "\[describe\]"/);
});

t.test('kafka-leader-election: not needed, failures, refusals (one broker)', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(60_000);
  const { b, admin } = await brokerWithAdmin(t);
  await admin.createTopics({ topics: [{ topic: 'led', numPartitions: 2 }] });
  const one = await kafkaTool('kafka-leader-election', [
    '--bootstrap-server',
    b,
    '--election-type',
    'preferred',
    '--topic',
    'led',
    '--partition',
    '1',
  ]);
  t.equal(one.code, 0, one.stderr);
  t.equal(one.stdout, 'Valid replica already elected for partitions led-1\n');
  const dir = mkdtempSync(join(tmpdir(), 'gregor-elect-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'elect.json');
  writeFileSync(
    file,
    JSON.stringify({
      partitions: [
        { topic: 'led', partition: 0 },
        { topic: 'gone', partition: 0 },
      ],
    }),
  );
  const mixed = await kafkaTool('kafka-leader-election', [
    '--bootstrap-server',
    b,
    '--election-type',
    'UNCLEAN',
    '--path-to-json-file',
    file,
  ]);
  t.equal(mixed.code, 1);
  t.match(mixed.stdout, /^Valid replica already elected for partitions led-0\n/m);
  t.match(
    mixed.stdout,
    /^Error completing leader election \(UNCLEAN\) for partition: gone-0: org\.apache\.kafka\.common\.errors\.UnknownTopicOrPartitionException: /m,
  );
  t.equal(
    mixed.stderr,
    '1 replica(s) could not be elected\norg.apache.kafka.server.common.AdminCommandFailedException: 1 replica(s) could not be elected\n',
  );
  const both = await kafkaTool('kafka-leader-election', [
    '--bootstrap-server',
    b,
    '--election-type',
    'preferred',
    '--all-topic-partitions',
    '--topic',
    'led',
    '--partition',
    '0',
  ]);
  t.equal(both.code, 1);
  t.match(both.stderr, /^One and only one of the following options is required/);
  const badType = await kafkaTool('kafka-leader-election', [
    '--bootstrap-server',
    b,
    '--election-type',
    'best',
    '--all-topic-partitions',
  ]);
  t.equal(badType.code, 1);
});
