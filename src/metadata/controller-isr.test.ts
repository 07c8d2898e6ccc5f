/**
 * Until followers fetch, the controller never reports a replica in sync that does not hold the data:
 * a new partition's ISR is its leader alone, for created topics and for added partitions alike.
 */
import t from 'tap';
import { MetadataController } from './controller.js';
import { MemoryMetadataLog } from './metadata-log.js';
import { defaultRegisterBrokerRecord } from '../../protocol/generated/records/metadata/RegisterBrokerRecord.js';

function threeBrokers(): MetadataController {
  const c = new MetadataController(new MemoryMetadataLog());
  for (const brokerId of [1, 2, 3]) c.commit([{ type: 'RegisterBrokerRecord', data: { ...defaultRegisterBrokerRecord(), brokerId, fenced: false } }]);
  return c;
}

t.test('a new partition with three replicas has the leader alone in its ISR', async (t) => {
  const c = threeBrokers();
  const created = c.createTopic({ name: 'rf3', numPartitions: 3, replicationFactor: 3 });
  if (!created.ok) throw new Error(created.error.errorMessage);
  c.commit(created.records);
  const partitions = [...c.image.topicsByName.get('rf3')!.partitions.values()];
  t.equal(partitions.length, 3);
  for (const p of partitions) {
    t.equal(p.replicas.length, 3, `partition ${p.partition} has three replicas`);
    t.same(p.isr, [p.leader], `partition ${p.partition}: ISR is the leader alone`);
    t.equal(p.leader, p.replicas[0], 'the first replica leads');
  }

  const grown = c.createPartitions('rf3', 5, null);
  if (!grown.ok) throw new Error(grown.error.errorMessage);
  c.commit(grown.records);
  const added = c.image.topicsByName.get('rf3')!.partitions.get(4)!;
  t.same(added.isr, [added.leader], 'an added partition too');

  const manual = c.createTopic({ name: 'manual', numPartitions: -1, replicationFactor: -1, assignments: new Map([[0, [3, 1, 2]]]) });
  if (!manual.ok) throw new Error(manual.error.errorMessage);
  c.commit(manual.records);
  const p0 = c.image.topicsByName.get('manual')!.partitions.get(0)!;
  t.same([p0.leader, p0.isr], [3, [3]], 'a manual assignment: its first broker leads, alone in sync');
});
