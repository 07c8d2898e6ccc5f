/**
 * kafka-transactions.sh (bin/kafka, as a user runs it) against a broker where a kafkajs
 * transactional producer leaves a transaction open: list, describe, describe-producers (the open
 * transaction's start offset), abort --start-offset (WriteTxnMarkers, as Kafka's admin sends it:
 * the partition's producer then has no open transaction, and a read_committed kafkajs consumer
 * reads past it), and the failures: an unknown transactional id, argparse4j's errors
 * (find-hanging: kafka-transactions-find-hanging.test.ts). The tables are ToolsUtils.prettyPrintTable's: each cell padded to its column, a tab after.
 */
import t from 'tap';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { brokerWithAdmin, kafkaTool } from '../../test/helpers/kafka-tools.js';

function rows(stdout: string): string[][] {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      t.ok(l.endsWith('\t'), 'a tab after each cell');
      return l
        .slice(0, -1)
        .split('\t')
        .map((c) => c.trimEnd());
    });
}

t.test('kafka-transactions: list, describe, describe-producers, abort', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(90_000);
  const { b, admin, kafka } = await brokerWithAdmin(t);
  const topic = 'txn-topic';
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  const plain = kafka.producer();
  await plain.connect();
  t.teardown(() => plain.disconnect());
  await plain.send({ topic, messages: [{ value: 'before', partition: 0 }] });
  const producer = kafka.producer({ transactionalId: 'open-txn', idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const txn = await producer.transaction();
  // A CreateTime from the past: LastTimestamp is the batch's max timestamp (Kafka's ProducerAppendInfo).
  await txn.send({ topic, messages: [{ value: 'in-doubt', partition: 0, timestamp: '1600000000000' }] });
  const tool = (...args: string[]) => kafkaTool('kafka-transactions', ['--bootstrap-server', b, ...args]);

  const listed = await tool('list');
  t.equal(listed.code, 0, listed.stderr);
  const listRows = rows(listed.stdout);
  t.same(listRows[0], ['TransactionalId', 'Coordinator', 'ProducerId', 'TransactionState']);
  t.match(listRows.slice(1), [['open-txn', /^\d+$/, /^\d+$/, 'Ongoing']]);
  t.equal(listed.stdout.split('\n')[0], 'TransactionalId\tCoordinator\tProducerId\tTransactionState\t');

  const described = await tool('describe', '--transactional-id', 'open-txn');
  t.equal(described.code, 0, described.stderr);
  const [header, row] = rows(described.stdout);
  t.same(header, [
    'CoordinatorId',
    'TransactionalId',
    'ProducerId',
    'ProducerEpoch',
    'TransactionState',
    'TransactionTimeoutMs',
    'CurrentTransactionStartTimeMs',
    'TransactionDurationMs',
    'TopicPartitions',
  ]);
  t.match(row, [/^\d+$/, 'open-txn', /^\d+$/, /^\d+$/, 'Ongoing', /^\d+$/, /^\d{13}$/, /^\d+$/, `${topic}-0`]);

  const producers = await tool('describe-producers', '--topic', topic, '--partition', '0');
  t.equal(producers.code, 0, producers.stderr);
  const producerRows = rows(producers.stdout);
  t.same(producerRows[0], [
    'ProducerId',
    'ProducerEpoch',
    'LatestCoordinatorEpoch',
    'LastSequence',
    'LastTimestamp',
    'CurrentTransactionStartOffset',
  ]);
  const open = producerRows.slice(1).find((r) => r[5] !== 'None');
  t.ok(open, 'the open transaction');
  t.equal(open![5], '1', 'it starts at offset 1, after the plain record');
  t.equal(open![4], '1600000000000', "LastTimestamp: the batch's max timestamp, not the append time");

  const notThere = await tool('abort', '--topic', topic, '--partition', '0', '--start-offset', '0');
  t.equal(notThere.code, 1);
  t.equal(notThere.stderr, `Could not find any open transactions starting at offset 0 on partition ${topic}-0\n`);
  const aborted = await tool('abort', '--topic', topic, '--partition', '0', '--start-offset', '1');
  t.equal(aborted.code, 0, aborted.stderr);
  t.equal(aborted.stdout, '');
  const after = rows((await tool('describe-producers', '--topic', topic, '--partition', '0')).stdout);
  t.ok(
    after.slice(1).every((r) => r[5] === 'None'),
    'no open transaction left on the partition',
  );

  // A read_committed consumer reads past the aborted transaction to what follows it.
  await plain.send({ topic, messages: [{ value: 'after', partition: 0 }] });
  const consumer = kafka.consumer({ groupId: 'committed-reader', readUncommitted: false });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: string[] = [];
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(message.value?.toString() ?? '');
        if (seen.includes('after')) resolve();
      },
    });
  });
  t.same(seen, ['before', 'after'], 'the aborted record is not read');

  const missing = await tool('describe', '--transactional-id', 'nope');
  t.equal(missing.code, 1);
  t.equal(
    missing.stderr,
    'Failed to describe transaction state of transactional-id `nope`: DescribeTransactions request for transactionalId `nope` failed because the ID could not be found. Enable debug logging for additional detail.\n',
  );
  const noServer = await kafkaTool('kafka-transactions', ['list']);
  t.equal(noServer.code, 1);
  t.equal(
    noServer.stderr,
    'usage: kafka-transactions.sh [-h] [-v] [--command-config FILE] --bootstrap-server host:port COMMAND ...\n' +
      'kafka-transactions.sh: error: argument --bootstrap-server is required\n',
  );
  const noId = await tool('describe');
  t.equal(noId.code, 1);
  t.match(noId.stderr, /\nkafka-transactions\.sh describe: error: argument --transactional-id is required\n$/);
  const badCommand = await tool('lists');
  t.equal(badCommand.code, 1);
  t.match(badCommand.stderr, /error: argument COMMAND: invalid choice: 'lists' \(choose from 'list', 'describe', /);
});
