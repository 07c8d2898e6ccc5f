/**
 * kafka-console-consumer.sh and consumer groups, as Kafka 3.9: without --group the consumer joins a
 * generated console-consumer-<0..99999> group (listed by kafka-consumer-groups.sh while it runs,
 * committing nothing); with --partition it is assigned and joins no group; --include with --group
 * joins as a member of every matching topic and commits on exit. Processes against a broker on
 * 127.0.0.1; records produced and offsets read back with kafkajs.
 */
import t from 'tap';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { brokerWithAdmin, kafkaTool, startKafkaTool } from '../../test/helpers/kafka-tools.js';

const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');

t.test(
  'console consumer groups: generated, none with --partition, --include with --group',
  { skip: CLI_SKIP },
  async (t) => {
    t.setTimeout(120_000);
    const { b, kafka, admin } = await brokerWithAdmin(t);
    await admin.createTopics({
      topics: [
        { topic: 'gen-a', numPartitions: 2 },
        { topic: 'gen-b', numPartitions: 1 },
      ],
    });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: 'gen-a',
      messages: [
        { value: 'a0', partition: 0 },
        { value: 'a1', partition: 1 },
        { value: 'a2', partition: 1 },
      ],
    });
    await producer.send({ topic: 'gen-b', messages: [{ value: 'b0' }] });
    await producer.disconnect();
    const consoleGroups = async (): Promise<string[]> => {
      const listed = await kafkaTool('kafka-consumer-groups', ['--bootstrap-server', b, '--list']);
      t.equal(listed.code, 0, listed.stderr);
      return lines(listed.stdout).filter((g) => g.startsWith('console-consumer-'));
    };

    // No --group: a generated group, listed while the consumer runs.
    const generated = startKafkaTool('kafka-console-consumer', [
      '--bootstrap-server',
      b,
      '--topic',
      'gen-a',
      '--from-beginning',
    ]);
    t.teardown(() => generated.stop('SIGKILL'));
    await generated.waitForStdout((out) => lines(out).length === 3);
    t.same(lines(generated.output().stdout).sort(), ['a0', 'a1', 'a2']);
    const running = await consoleGroups();
    t.equal(running.length, 1, 'one generated group');
    const group = running[0]!;
    t.match(group, /^console-consumer-\d{1,5}$/);
    t.ok(Number(group.slice('console-consumer-'.length)) < 100_000);
    const members = await kafkaTool('kafka-consumer-groups', [
      '--bootstrap-server',
      b,
      '--describe',
      '--members',
      '--group',
      group,
    ]);
    t.equal(members.code, 0, members.stderr);
    t.match(
      lines(members.stdout)[1],
      new RegExp(`^${group} +console-consumer-\\S+ +/\\S+ +console-consumer +2 *$`),
      'one member with both partitions',
    );
    t.equal(await generated.stop('SIGINT'), 130);
    t.match(generated.output().stderr, /Processed a total of 3 messages\n$/);
    const offsets = await admin.fetchOffsets({ groupId: group, topics: ['gen-a'] });
    t.same(
      offsets[0]!.partitions.map((p) => p.offset),
      ['-1', '-1'],
      'auto commit is off for a generated group',
    );

    // --partition without --group: assigned, no group joins.
    const before = await consoleGroups();
    const assigned = startKafkaTool('kafka-console-consumer', [
      '--bootstrap-server',
      b,
      '--topic',
      'gen-a',
      '--partition',
      '1',
      '--offset',
      'earliest',
    ]);
    t.teardown(() => assigned.stop('SIGKILL'));
    await assigned.waitForStdout((out) => lines(out).length === 2);
    t.same(lines(assigned.output().stdout), ['a1', 'a2']);
    t.same(await consoleGroups(), before, 'no group for an assigned partition');
    t.equal(await assigned.stop('SIGTERM'), 143);

    // --partition with enable.auto.commit=true: the assigned consumer commits to its generated group
    // outside any generation, as Kafka's consumer does on close.
    const committing = await kafkaTool('kafka-console-consumer', [
      '--bootstrap-server',
      b,
      '--topic',
      'gen-a',
      '--partition',
      '1',
      '--offset',
      'earliest',
      '--max-messages',
      '1',
      '--consumer-property',
      'enable.auto.commit=true',
    ]);
    t.equal(committing.code, 0, committing.stderr);
    t.equal(committing.stdout, 'a1\n');
    const added = (await consoleGroups()).filter((g) => !before.includes(g));
    t.equal(added.length, 1, 'the generated group now has offsets');
    const simple = await admin.fetchOffsets({ groupId: added[0]!, topics: ['gen-a'] });
    t.same(
      simple[0]!.partitions.sort((x, y) => x.partition - y.partition).map((p) => p.offset),
      ['-1', '1'],
      'the position after the one message printed',
    );

    // --partition seeks (latest unless --offset or --from-beginning): auto.offset.reset plays no part.
    const seeks = await kafkaTool('kafka-console-consumer', [
      '--bootstrap-server',
      b,
      '--topic',
      'gen-a',
      '--partition',
      '1',
      '--consumer-property',
      'auto.offset.reset=earliest',
      '--timeout-ms',
      '1000',
    ]);
    t.equal(seeks.stdout, '', 'from the end');
    t.match(seeks.stderr, /Processed a total of 0 messages\n$/);
    // auto.offset.reset=none: a member with no committed offset stops with Kafka's error.
    const noReset = await kafkaTool('kafka-console-consumer', [
      '--bootstrap-server',
      b,
      '--topic',
      'gen-b',
      '--group',
      'strict',
      '--consumer-property',
      'auto.offset.reset=none',
    ]);
    t.equal(noReset.code, 0, noReset.stderr);
    t.equal(noReset.stdout, '');
    t.match(
      noReset.stderr,
      /org\.apache\.kafka\.clients\.consumer\.NoOffsetForPartitionException: Undefined offset with no reset policy for partitions: \[gen-b-0\]\n[^]*Processed a total of 0 messages\n$/,
    );

    // --include with --group: one member of both topics; commits on exit.
    const included = await kafkaTool('kafka-console-consumer', [
      '--bootstrap-server',
      b,
      '--include',
      'gen-.*',
      '--group',
      'inc',
      '--from-beginning',
      '--max-messages',
      '4',
    ]);
    t.equal(included.code, 0, included.stderr);
    t.same(lines(included.stdout).sort(), ['a0', 'a1', 'a2', 'b0']);
    const committed = await admin.fetchOffsets({ groupId: 'inc', topics: ['gen-a', 'gen-b'] });
    t.same(
      committed
        .map((c) => [c.topic, c.partitions.sort((x, y) => x.partition - y.partition).map((p) => p.offset)])
        .sort(),
      [
        ['gen-a', ['1', '2']],
        ['gen-b', ['1']],
      ],
    );
    const described = await kafkaTool('kafka-consumer-groups', [
      '--bootstrap-server',
      b,
      '--describe',
      '--group',
      'inc',
    ]);
    t.equal(described.code, 0, described.stderr);
    t.match(described.stdout, /inc +gen-b +0 +1 +1 +0 /);
  },
);
