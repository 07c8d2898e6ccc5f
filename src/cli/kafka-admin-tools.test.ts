/**
 * kafka-consumer-groups.sh, kafka-configs.sh, kafka-get-offsets.sh, kafka-metadata-quorum.sh,
 * kafka-cluster.sh, kafka-storage.sh and kafka-acls.sh as processes (bin/kafka/<tool>.sh) against
 * a broker on 127.0.0.1: Kafka's output formats, the changes checked with kafkajs, and a user
 * mistake or two each (an unknown group, a config that is not set, an unsupported entity type).
 */
import t from 'tap';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { brokerWithAdmin, kafkaTool } from '../../test/helpers/kafka-tools.js';
import { run } from '../../test/helpers/external.js';
import { GREGOR_BIN } from '../../test/helpers/cli.js';

t.test('kafka-consumer-groups: list, describe, reset, delete offsets, delete', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(90_000);
  const { b, kafka, admin } = await brokerWithAdmin(t);
  await admin.createTopics({ topics: [{ topic: 'events', numPartitions: 2 }] });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: 'events',
    messages: [0, 1, 2, 3, 4].map((i) => ({ value: `m${i}`, partition: i % 2 })),
  });
  await producer.disconnect();

  // A console consumer in group g1 reads 3 messages and commits its position on exit.
  const consumed = await kafkaTool('kafka-console-consumer', [
    '--topic',
    'events',
    '--group',
    'g1',
    '--from-beginning',
    '--max-messages',
    '5',
    '--bootstrap-server',
    b,
  ]);
  t.equal(consumed.code, 0, consumed.stderr);
  t.equal(consumed.stdout.split('\n').filter((l) => l !== '').length, 5);

  const list = await kafkaTool('kafka-consumer-groups', ['--bootstrap-server', b, '--list']);
  t.equal(list.stdout, 'g1\n');
  const listState = await kafkaTool('kafka-consumer-groups', ['--bootstrap-server', b, '--list', '--state']);
  t.match(listState.stdout, /^GROUP {21}STATE {15}\s*\ng1 {24}Empty/);

  const described = await kafkaTool('kafka-consumer-groups', ['--bootstrap-server', b, '--describe', '--group', 'g1']);
  t.equal(described.code, 0);
  t.match(described.stderr, /Consumer group 'g1' has no active members./);
  const rows = described.stdout.split('\n').filter((l) => l !== '');
  t.match(rows[0], /^GROUP +TOPIC +PARTITION +CURRENT-OFFSET +LOG-END-OFFSET +LAG +CONSUMER-ID +HOST +CLIENT-ID$/);
  t.same(
    rows.slice(1).map((r) => r.split(/ +/).slice(0, 6)),
    [
      ['g1', 'events', '0', '3', '3', '0'],
      ['g1', 'events', '1', '2', '2', '0'],
    ],
  );

  const dry = await kafkaTool('kafka-consumer-groups', [
    '--bootstrap-server',
    b,
    '--reset-offsets',
    '--group',
    'g1',
    '--topic',
    'events:0',
    '--to-earliest',
    '--dry-run',
  ]);
  t.equal(dry.code, 0);
  t.same(
    dry.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((r) => r.trim().split(/ +/)),
    [
      ['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'],
      ['g1', 'events', '0', '0'],
    ],
  );
  let offsets = await admin.fetchOffsets({ groupId: 'g1', topics: ['events'] });
  t.equal(offsets[0]?.partitions.find((p) => p.partition === 0)?.offset, '3', 'a dry run changes nothing');
  const noExecute = await kafkaTool('kafka-consumer-groups', [
    '--bootstrap-server',
    b,
    '--reset-offsets',
    '--group',
    'g1',
    '--all-topics',
    '--shift-by',
    '-1',
  ]);
  t.match(noExecute.stderr, /^WARN: No action will be performed as the --execute option is missing./);
  const executed = await kafkaTool('kafka-consumer-groups', [
    '--bootstrap-server',
    b,
    '--reset-offsets',
    '--group',
    'g1',
    '--all-topics',
    '--shift-by',
    '-1',
    '--execute',
  ]);
  t.equal(executed.code, 0, executed.stdout);
  offsets = await admin.fetchOffsets({ groupId: 'g1', topics: ['events'] });
  t.same(offsets[0]?.partitions.map((p) => [p.partition, p.offset]).sort(), [
    [0, '2'],
    [1, '1'],
  ]);
  const noScope = await kafkaTool('kafka-consumer-groups', [
    '--bootstrap-server',
    b,
    '--reset-offsets',
    '--group',
    'g1',
    '--to-latest',
    '--execute',
  ]);
  t.equal(noScope.code, 1);
  t.match(noScope.stderr, /^One of the reset scopes should be defined: --all-topics, --topic./);

  const deletedOffsets = await kafkaTool('kafka-consumer-groups', [
    '--bootstrap-server',
    b,
    '--delete-offsets',
    '--group',
    'g1',
    '--topic',
    'events',
  ]);
  t.match(deletedOffsets.stdout, /^Request succeed for deleting offsets with topic events group g1\n/);
  t.match(deletedOffsets.stdout, /\nevents +0 +Successful/);
  offsets = await admin.fetchOffsets({ groupId: 'g1', topics: ['events'] });
  t.same(
    offsets[0]?.partitions.map((p) => p.offset),
    ['-1', '-1'],
    'the offsets are gone',
  );

  const unknown = await kafkaTool('kafka-consumer-groups', [
    '--bootstrap-server',
    b,
    '--describe',
    '--group',
    'nobody',
  ]);
  t.equal(unknown.code, 0, 'Kafka exits 0 here too');
  t.equal(unknown.stdout, "\nError: Consumer group 'nobody' does not exist.\n");
  const deleted = await kafkaTool('kafka-consumer-groups', ['--bootstrap-server', b, '--delete', '--group', 'g1']);
  t.equal(deleted.stdout, "Deletion of requested consumer groups ('g1') was successful.\n");
  t.same((await admin.listGroups()).groups, [], 'kafkajs no longer lists it');
  const twoActions = await kafkaTool('kafka-consumer-groups', [
    '--bootstrap-server',
    b,
    '--list',
    '--delete',
    '--group',
    'x',
  ]);
  t.equal(twoActions.code, 1);
  t.match(
    twoActions.stderr,
    /^Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets\n/,
  );
});

t.test('kafka-configs, kafka-get-offsets, quorum, cluster id, storage, acls', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(90_000);
  const { b, kafka, admin } = await brokerWithAdmin(t);
  await admin.createTopics({ topics: [{ topic: 'cfg', numPartitions: 3 }] });

  const altered = await kafkaTool('kafka-configs', [
    '--bootstrap-server',
    b,
    '--entity-type',
    'topics',
    '--entity-name',
    'cfg',
    '--alter',
    '--add-config',
    'retention.ms=60000,cleanup.policy=[compact,delete]',
  ]);
  t.equal(altered.stdout, 'Completed updating config for topic cfg.\n', altered.stderr);
  const described = await kafkaTool('kafka-configs', ['--bootstrap-server', b, '--topic', 'cfg', '--describe']);
  const lines = described.stdout.split('\n');
  t.equal(lines[0], 'Dynamic configs for topic cfg are:');
  t.match(
    lines[1],
    /^ {2}cleanup.policy=compact,delete sensitive=false synonyms=\{DYNAMIC_TOPIC_CONFIG:cleanup.policy=compact,delete(, .*)?\}$/,
  );
  t.match(
    lines[2],
    /^ {2}retention.ms=60000 sensitive=false synonyms=\{DYNAMIC_TOPIC_CONFIG:retention.ms=60000(, .*)?\}$/,
  );
  const seen = await admin.describeConfigs({
    resources: [{ type: 2, name: 'cfg', configNames: ['retention.ms'] }],
    includeSynonyms: false,
  });
  t.equal(seen.resources[0]?.configEntries[0]?.configValue, '60000', 'kafkajs reads the new value');
  const notSet = await kafkaTool('kafka-configs', [
    '--bootstrap-server',
    b,
    '--topic',
    'cfg',
    '--alter',
    '--delete-config',
    'segment.ms',
  ]);
  t.equal(notSet.code, 1);
  t.equal(notSet.stderr, 'Invalid config(s): segment.ms\n');
  const removed = await kafkaTool('kafka-configs', [
    '--bootstrap-server',
    b,
    '--topic',
    'cfg',
    '--alter',
    '--delete-config',
    'retention.ms',
  ]);
  t.equal(removed.code, 0, removed.stderr);
  t.notMatch(
    (await kafkaTool('kafka-configs', ['--bootstrap-server', b, '--topic', 'cfg', '--describe'])).stdout,
    /retention.ms/,
  );
  const brokerDefault = await kafkaTool('kafka-configs', [
    '--bootstrap-server',
    b,
    '--entity-type',
    'brokers',
    '--entity-default',
    '--alter',
    '--add-config',
    'log.cleaner.threads=2',
  ]);
  t.equal(
    brokerDefault.stdout,
    'Completed updating default config for brokers in the cluster.\n',
    brokerDefault.stderr,
  );
  const defaults = await kafkaTool('kafka-configs', ['--bootstrap-server', b, '--broker-defaults', '--describe']);
  t.match(
    defaults.stdout,
    /^Default configs for brokers in the cluster are:\n {2}log.cleaner.threads=2 sensitive=false synonyms=\{DYNAMIC_DEFAULT_BROKER_CONFIG:log.cleaner.threads=2\}\n/,
  );
  const metrics = await kafkaTool('kafka-configs', [
    '--bootstrap-server',
    b,
    '--entity-type',
    'client-metrics',
    '--entity-name',
    'm',
    '--describe',
  ]);
  t.equal(metrics.code, 1);
  t.match(metrics.stderr, /kafka-configs for client-metrics is not supported by Gregor's tools/);

  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: 'cfg',
    messages: [
      { key: 'a', value: 'a', partition: 0 },
      { key: 'b', value: 'b', partition: 0 },
      { key: 'c', value: 'c', partition: 2 },
    ],
  });
  await producer.disconnect();
  const latest = await kafkaTool('kafka-get-offsets', ['--bootstrap-server', b, '--topic', 'cfg']);
  t.equal(latest.stdout, 'cfg:0:2\ncfg:1:0\ncfg:2:1\n', latest.stderr);
  const earliest = await kafkaTool('kafka-get-offsets', [
    '--bootstrap-server',
    b,
    '--topic-partitions',
    'cfg:1-',
    '--time',
    'earliest',
  ]);
  t.equal(earliest.stdout, 'cfg:1:0\ncfg:2:0\n', earliest.stderr);
  const none = await kafkaTool('kafka-get-offsets', ['--bootstrap-server', b, '--topic', 'nothing-like-this']);
  t.equal(none.code, 1);
  t.equal(none.stderr, 'Error occurred: Could not match any topic-partitions with the specified filters\n');

  const clusterId = await kafkaTool('kafka-cluster', ['cluster-id', '--bootstrap-server', b]);
  t.match(clusterId.stdout, /^Cluster ID: [A-Za-z0-9_-]{22}\n$/);
  const status = await kafkaTool('kafka-metadata-quorum', ['--bootstrap-server', b, 'describe', '--status']);
  t.equal(status.code, 0, status.stderr);
  t.match(
    status.stdout,
    /^ClusterId: {14}[A-Za-z0-9_-]{22}\nLeaderId: {15}\d+\nLeaderEpoch: {12}\d+\nHighWatermark: {10}\d+\nMaxFollowerLag: {9}0\nMaxFollowerLagTimeMs: {3}0\nCurrentVoters: {10}\[\{"id": \d+, "directoryId": [^\n]*\}\]\nCurrentObservers: {7}\[\]\n$/,
  );
  const replication = await kafkaTool('kafka-metadata-quorum', ['--bootstrap-server', b, 'describe', '--replication']);
  t.match(
    replication.stdout,
    /^NodeId\s*\tDirectoryId\s*\tLogEndOffset\s*\tLag\s*\tLastFetchTimestamp\s*\tLastCaughtUpTimestamp\s*\tStatus\s*\t\n\d+ *\t\S+ *\t\d+ *\t0 *\t\d+ *\t\d+ *\tLeader\t\n$/,
  );
  const uuid = await kafkaTool('kafka-storage', ['random-uuid']);
  t.match(uuid.stdout, /^[A-Za-z0-9_][A-Za-z0-9_-]{21}\n$/);
  const format = await kafkaTool('kafka-storage', ['format', '-t', 'x', '-c', 'server.properties']);
  t.equal(format.code, 1);
  t.match(format.stderr, /Cluster ID string x does not appear to be a valid UUID/);
  const info = await kafkaTool('kafka-storage', ['info', '-c', 'server.properties']);
  t.equal(info.code, 1);
  t.match(info.stderr, /kafka-storage info is not supported by Gregor/);

  // kafka-acls.sh: the broker has no authorizer, so the request is refused with Kafka's error.
  const acl = await kafkaTool('kafka-acls', [
    '--bootstrap-server',
    b,
    '--add',
    '--deny-principal',
    'User:*',
    '--operation',
    'All',
    '--deny-host',
    '*',
    '--topic',
    'cfg',
  ]);
  t.equal(acl.code, 1);
  t.equal(
    acl.stdout,
    'Adding ACLs for resource `ResourcePattern(resourceType=TOPIC, name=cfg, patternType=LITERAL)`: \n' +
      ' \t(principal=User:*, host=*, operation=ALL, permissionType=DENY) \n\n' +
      'Error while executing ACL command: org.apache.kafka.common.errors.SecurityDisabledException: No Authorizer is configured.\n',
  );
  const noAction = await kafkaTool('kafka-acls', ['--bootstrap-server', b, '--topic', 'cfg']);
  t.equal(noAction.code, 1);
  t.match(noAction.stderr, /^Command must include exactly one action: --list, --add, --remove/);

  // The same tools as gregor sub-commands.
  const sub = await run(process.execPath, [GREGOR_BIN, 'kafka-topics', '--list', '--bootstrap-server', b], {
    timeoutMs: 60_000,
  });
  t.equal(
    sub.stdout,
    '__consumer_offsets\ncfg\n'.replace(
      '__consumer_offsets\n',
      sub.stdout.startsWith('__') ? '__consumer_offsets\n' : '',
    ),
  );
  t.equal(sub.code, 0);
});
