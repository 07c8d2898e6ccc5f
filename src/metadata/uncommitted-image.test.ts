/**
 * UncommittedImage: the committed image plus the records proposed and not applied yet, by Raft
 * offset. Nothing in flight: the committed image itself. A proposal applied to the committed image
 * is not applied twice (partition epochs would run ahead); a failed proposal, or a record this node
 * did not propose, makes it start again from the committed image.
 */
import t from 'tap';
import { defaultPartitionChangeRecord } from '../../protocol/generated/records/metadata/PartitionChangeRecord.js';
import { defaultPartitionRecord } from '../../protocol/generated/records/metadata/PartitionRecord.js';
import { defaultRegisterBrokerRecord } from '../../protocol/generated/records/metadata/RegisterBrokerRecord.js';
import { MetadataImage } from './image.js';
import type { MetadataRecord } from './records.js';
import { UncommittedImage } from './uncommitted-image.js';

const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';
const isrChange = (isr: number[]): MetadataRecord => ({
  type: 'PartitionChangeRecord',
  data: { ...defaultPartitionChangeRecord(), topicId: TOPIC_ID, partitionId: 0, isr },
});
const fence = (id: number): MetadataRecord => ({ type: 'FenceBrokerRecord', data: { id, epoch: -1n } });

function committedImage(): MetadataImage {
  const image = new MetadataImage();
  let offset = 0;
  for (const brokerId of [1, 2, 3])
    image.apply(
      { type: 'RegisterBrokerRecord', data: { ...defaultRegisterBrokerRecord(), brokerId, fenced: false } },
      offset++,
    );
  image.apply({ type: 'TopicRecord', data: { name: 't', topicId: TOPIC_ID } }, offset++);
  image.apply(
    {
      type: 'PartitionRecord',
      data: {
        ...defaultPartitionRecord(),
        topicId: TOPIC_ID,
        partitionId: 0,
        replicas: [1, 2, 3],
        isr: [1, 2, 3],
        leader: 1,
        leaderEpoch: 0,
        partitionEpoch: 0,
      },
    },
    offset,
  );
  return image; // last applied offset 4
}

const partition = (image: MetadataImage) => image.topicsById.get(TOPIC_ID)!.partitions.get(0)!;

t.test('proposals show in the latest image until the committed image has them', async (t) => {
  const committed = committedImage();
  const u = new UncommittedImage();
  t.equal(u.latest(committed), committed, 'nothing in flight: the committed image');
  const first = u.proposed(5, [fence(3), isrChange([1, 2])]);
  const latest = u.latest(committed);
  t.not(latest, committed);
  t.ok(latest.brokers.get(3)!.fenced, 'the fencing in flight is seen');
  t.same([partition(latest).isr, partition(latest).partitionEpoch], [[1, 2], 1]);
  t.same([partition(committed).isr, committed.brokers.get(3)!.fenced], [[1, 2, 3], false], 'committed untouched');
  u.proposed(7, [isrChange([1])]);
  t.same([partition(u.latest(committed)).isr, partition(u.latest(committed)).partitionEpoch], [[1], 2]);
  // The first proposal commits.
  committed.apply(fence(3), 5);
  u.applied(5);
  committed.apply(isrChange([1, 2]), 6);
  u.applied(6);
  u.settled(first, true);
  t.same(partition(u.latest(committed)).partitionEpoch, 2, 'not applied twice');
  committed.apply(isrChange([1]), 7);
  u.applied(7);
  t.equal(u.latest(committed), committed, 'all applied: the committed image again');
});

t.test('a failed proposal or a record proposed elsewhere: built again from the committed image', async (t) => {
  const committed = committedImage();
  const u = new UncommittedImage();
  const lost = u.proposed(5, [isrChange([1, 2])]);
  u.proposed(6, [fence(2)]);
  t.same(partition(u.latest(committed)).isr, [1, 2]);
  u.settled(lost, false);
  const rebuilt = u.latest(committed);
  t.same([partition(rebuilt).isr, rebuilt.brokers.get(2)!.fenced], [[1, 2, 3], true], 'only what is still in flight');
  committed.apply(isrChange([1, 3]), 5); // an earlier leader's entry, committed under this one
  u.applied(5);
  const again = u.latest(committed);
  t.same([partition(again).isr, partition(again).partitionEpoch, again.brokers.get(2)!.fenced], [[1, 3], 1, true]);
});
