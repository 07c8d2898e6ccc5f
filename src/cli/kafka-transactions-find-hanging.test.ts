/**
 * kafka-transactions.sh find-hanging (bin/kafka, as a user runs it), as Kafka 3.9's
 * FindHangingTransactionsCommand: a transactional batch the coordinator knows nothing of (written
 * with transaction.partition.verification.enable=false, as an old client could) is listed by
 * --broker-id and by --topic/--partition; a kafkajs transaction still open is not (its coordinator
 * lists the partition), even with --max-transaction-timeout 0; the scope errors are Kafka's lines.
 * Before, `--broker-id` was refused as an unrecognized argument.
 */
import t from 'tap';
import { ProduceApi } from '../../protocol/generated/messages/00-produce.js';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { produceRequest } from '../../test/helpers/data-path.js';
import { buildRecordBatch } from '../../protocol/records/index.js';
import { brokerWithAdmin, kafkaTool } from '../../test/helpers/kafka-tools.js';
import { rawClient } from '../../test/helpers/raw-client.js';

const HEADER =
  'Topic\tPartition\tProducerId\tProducerEpoch\tCoordinatorEpoch\tStartOffset\tLastTimestamp\tDuration(min)';

function rows(stdout: string): string[][] {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) =>
      l
        .slice(0, -1)
        .split('\t')
        .map((c) => c.trimEnd()),
    );
}

t.test('kafka-transactions find-hanging', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(90_000);
  const { broker, b, admin, kafka } = await brokerWithAdmin(t, {
    config: { 'transaction.partition.verification.enable': 'false' },
  });
  await admin.createTopics({
    topics: [
      { topic: 'hang', numPartitions: 2 },
      { topic: 'live', numPartitions: 1 },
    ],
    waitForLeaders: true,
  });
  const brokerId = (await admin.describeCluster()).brokers[0]!.nodeId;

  // A transaction no coordinator knows of: producer 900001, never ended.
  const raw = await rawClient(broker.port);
  t.teardown(() => raw.close());
  // Its record's CreateTime is now: LastTimestamp is the batch's max timestamp, as Kafka's.
  const batch = buildRecordBatch({
    records: [{ key: null, value: Buffer.from('stuck'), timestamp: BigInt(Date.now()) }],
    producerId: 900001n,
    producerEpoch: 0,
    baseSequence: 0,
    transactional: true,
  });
  const written = await raw.call(ProduceApi, 9, produceRequest('hang', 1, batch, -1, 'ghost'));
  t.equal(written.responses[0]!.partitionResponses[0]!.errorCode, 0);

  const producer = kafka.producer({ transactionalId: 'alive', idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const txn = await producer.transaction();
  await txn.send({ topic: 'live', messages: [{ value: 'open', partition: 0 }] });

  const tool = (...args: string[]) =>
    kafkaTool('kafka-transactions', ['--bootstrap-server', b, 'find-hanging', ...args]);
  const stuckRow = ['hang', '1', '900001', '0', '-1', '0', /^\d{13}$/, '0'];

  const byBroker = await tool('--broker-id', String(brokerId), '--max-transaction-timeout', '0');
  t.equal(byBroker.code, 0, byBroker.stderr);
  t.equal(byBroker.stdout.split('\n')[0]!.replace(/ +\t/g, '\t'), `${HEADER}\t`);
  const found = rows(byBroker.stdout);
  t.equal(found.length, 2, 'one hanging transaction; the open kafkajs one is not hanging');
  t.match(found[1], stuckRow);

  const byPartition = await tool('--topic', 'hang', '--partition', '1', '--max-transaction-timeout', '0');
  t.equal(byPartition.code, 0, byPartition.stderr);
  t.match(rows(byPartition.stdout).slice(1), [stuckRow]);
  const recent = await tool('--topic', 'hang');
  t.equal(recent.code, 0, recent.stderr);
  t.equal(rows(recent.stdout).length, 1, 'written less than 15 minutes ago: not a candidate');
  const byTopic = await tool('--topic', 'live', '--max-transaction-timeout', '0');
  t.equal(byTopic.code, 0, byTopic.stderr);
  t.equal(rows(byTopic.stdout).length, 1, 'the header alone');
  const otherBroker = await tool('--broker-id', String(brokerId + 100));
  t.equal(otherBroker.code, 0, otherBroker.stderr);
  t.equal(rows(otherBroker.stdout).length, 1, 'no partition on that broker: the header alone');

  const noScope = await tool();
  t.equal(noScope.code, 1);
  t.equal(
    noScope.stderr,
    'The `find-hanging` command requires either --topic or --broker-id to limit the scope of the search\n',
  );
  const noTopic = await tool('--broker-id', String(brokerId), '--partition', '0');
  t.equal(noTopic.code, 1);
  t.equal(noTopic.stderr, 'The --partition argument requires --topic to be provided\n');
  const unknown = await tool('--topic', 'nope');
  t.equal(unknown.code, 1);
  t.equal(
    unknown.stderr,
    'Failed to describe 1 topics: This server does not host this topic-partition.. Enable debug logging for additional detail.\n',
  );
  await txn.abort();
});
