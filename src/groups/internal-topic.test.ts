/**
 * Internal topics' replication as Kafka: `__consumer_offsets` / `__transaction_state` are created
 * with the configured replication factor or not at all (COORDINATOR_NOT_AVAILABLE while fewer
 * brokers are live), `__transaction_state` carries transaction.state.log.min.isr as its
 * min.insync.replicas; only a single combined node caps both.
 */
import t from 'tap';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defaultRegisterBrokerRecord } from '../../protocol/generated/records/metadata/RegisterBrokerRecord.js';
import { BrokerConfig } from '../common/config.js';
import { MetadataController } from '../metadata/controller.js';
import { MemoryMetadataLog } from '../metadata/metadata-log.js';
import { ManualClock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import { ensureInternalTopic, InternalTopicShortageLog, isSingleNode } from './internal-topic.js';

function controllerWith(brokers: number[]): MetadataController {
  const c = new MetadataController(new MemoryMetadataLog());
  for (const brokerId of brokers)
    c.commit([{ type: 'RegisterBrokerRecord', data: { ...defaultRegisterBrokerRecord(), brokerId, fenced: false } }]);
  return c;
}

const cluster = new BrokerConfig({
  'node.id': 1,
  'process.roles': 'broker,controller',
  'controller.quorum.voters': '1@127.0.0.1:1,2@127.0.0.1:2,3@127.0.0.1:3',
  'transaction.state.log.num.partitions': 2,
});

const warnings: string[] = [];
const clock = new ManualClock(0);
const recordingLog = { warn: (_fields: object, message: string) => warnings.push(message) } as unknown as Logger;
const shortage = new InternalTopicShortageLog(recordingLog, clock);

const txnTopic = (c: MetadataController, config: BrokerConfig) =>
  ensureInternalTopic(c, config, {
    name: '__transaction_state',
    partitionsConfig: 'transaction.state.log.num.partitions',
    replicationConfig: 'transaction.state.log.replication.factor',
    minInsyncReplicasConfig: 'transaction.state.log.min.isr',
    shortage,
  });

t.test('a cluster: the configured factor or nothing, and the transaction log min ISR', async (t) => {
  t.notOk(isSingleNode(cluster));
  const two = controllerWith([1, 2]);
  t.equal(txnTopic(two, cluster), ErrorCode.COORDINATOR_NOT_AVAILABLE, 'two live brokers for factor 3: not yet');
  t.notOk(two.image.topicsByName.has('__transaction_state'), 'no under-replicated internal topic is created');
  t.equal(warnings.length, 1, 'the refusal is logged');
  t.match(
    warnings[0],
    /__transaction_state is not created yet: .*replication factor of 3 .* only 2 broker.*transaction\.state\.log\.replication\.factor/,
  );
  t.equal(txnTopic(two, cluster), ErrorCode.COORDINATOR_NOT_AVAILABLE);
  t.equal(warnings.length, 1, 'clients retrying do not flood the log');
  clock.advance(30_000);
  t.equal(txnTopic(two, cluster), ErrorCode.COORDINATOR_NOT_AVAILABLE);
  t.equal(warnings.length, 2, 'warned again after 30 s');

  const three = controllerWith([1, 2, 3]);
  t.equal(txnTopic(three, cluster), ErrorCode.NONE);
  const topic = three.image.topicsByName.get('__transaction_state')!;
  t.same(
    [...topic.partitions.values()].map((p) => p.replicas.length),
    [3, 3],
  );
  t.equal(topic.configs.get('min.insync.replicas'), '2', 'transaction.state.log.min.isr (default 2)');
  t.equal(topic.configs.get('cleanup.policy'), 'compact');

  const offsets = controllerWith([1, 2, 3]);
  const code = ensureInternalTopic(
    offsets,
    new BrokerConfig({
      ...Object.fromEntries([]),
      'node.id': 1,
      'process.roles': 'broker',
      'controller.quorum.voters': '9@127.0.0.1:9',
      'offsets.topic.replication.factor': 2,
      'offsets.topic.num.partitions': 1,
    }),
    {
      name: '__consumer_offsets',
      partitionsConfig: 'offsets.topic.num.partitions',
      replicationConfig: 'offsets.topic.replication.factor',
    },
  );
  t.equal(code, ErrorCode.NONE);
  const o = offsets.image.topicsByName.get('__consumer_offsets')!;
  t.equal(o.partitions.get(0)!.replicas.length, 2, 'offsets.topic.replication.factor as set');
  t.notOk(o.configs.has('min.insync.replicas'), "__consumer_offsets keeps the broker's min.insync.replicas, as Kafka");
});

t.test('a single combined node caps the factor and the min ISR', async (t) => {
  const single = new BrokerConfig({ 'node.id': 1, 'transaction.state.log.num.partitions': 1 });
  t.ok(isSingleNode(single));
  const c = controllerWith([1]);
  t.equal(txnTopic(c, single), ErrorCode.NONE);
  const topic = c.image.topicsByName.get('__transaction_state')!;
  t.equal(topic.partitions.get(0)!.replicas.length, 1);
  t.equal(topic.configs.get('min.insync.replicas'), '1');
});
