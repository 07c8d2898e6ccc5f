import t from 'tap';
import { brokerFor } from '../../test/helpers/broker.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { createTopic } from '../../test/helpers/topics.js';
import { batchOf, produce } from '../../test/helpers/data-path.js';
import { OffsetForLeaderEpochApi } from '../../protocol/generated/messages/23-offset-for-leader-epoch.js';
import { endOffsetForEpoch } from '../broker/leader-epochs.js';
import type { RawClient } from '../../test/helpers/raw-client.js';

async function epochEnd(c: RawClient, version: number, topic: string, leaderEpoch: number, currentLeaderEpoch = -1) {
  const r = await c.call(OffsetForLeaderEpochApi, version, {
    replicaId: -1,
    topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch, leaderEpoch }] }],
  });
  return r.topics[0]!.partitions[0]!;
}

t.test('OffsetForLeaderEpoch 0-4 answers the log end for the current epoch', async (t) => {
  const running = await brokerFor(t);
  createTopic(running, 'ep');
  const c = await rawClient(running.port);
  for (let i = 0; i < 3; i++) await produce(c, 9, 'ep', 0, batchOf([`m${i}`, `n${i}`]));
  for (let v = 0; v <= 4; v++) {
    const r = await epochEnd(c, v, 'ep', 0);
    t.equal(r.errorCode, 0, `v${v} ok`);
    t.equal(r.endOffset, 6n, `v${v} end offset`);
    t.equal(r.leaderEpoch, v >= 1 ? 0 : -1, `v${v} leader epoch`);
  }
  const future = await epochEnd(c, 4, 'ep', 9);
  t.equal(future.endOffset, -1n, 'a newer epoch is undefined');
  t.equal(future.leaderEpoch, -1);
  t.equal((await epochEnd(c, 4, 'ep', 0, 2)).errorCode, 75, 'UNKNOWN_LEADER_EPOCH for a newer current epoch');
  t.equal((await epochEnd(c, 4, 'nope', 0)).errorCode, 3, 'unknown topic');
  c.close();
});

t.test('older epochs are answered from the batch headers in the log', async (t) => {
  const running = await brokerFor(t);
  createTopic(running, 'hist');
  const c = await rawClient(running.port);
  const partition = running.broker.replicas.get('hist', 0)!;
  await produce(c, 9, 'hist', 0, batchOf(['a', 'b'])); // epoch 0: offsets 0-1
  partition.state = { ...partition.state, leaderEpoch: 2 };
  await produce(c, 9, 'hist', 0, batchOf(['c'])); // epoch 2: offset 2
  partition.state = { ...partition.state, leaderEpoch: 5 };
  await produce(c, 9, 'hist', 0, batchOf(['d'])); // epoch 5: offset 3
  t.same(endOffsetForEpoch(partition, 0), { epoch: 0, endOffset: 2 }, 'epoch 0 ends where 2 starts');
  t.same(endOffsetForEpoch(partition, 1), { epoch: 0, endOffset: 2 }, 'an unseen epoch maps to the one below it');
  t.same(endOffsetForEpoch(partition, 3), { epoch: 2, endOffset: 3 });
  t.same(endOffsetForEpoch(partition, 5), { epoch: 5, endOffset: 4 }, 'current epoch: the log end');
  partition.log.deleteRecordsBefore(3);
  t.same(endOffsetForEpoch(partition, 1), { epoch: 1, endOffset: 3 }, 'older than the log: the next known epoch start');
  const r = await epochEnd(c, 4, 'hist', 2, 5);
  t.same(
    [r.leaderEpoch, r.endOffset],
    [2, 3n],
    'epoch 2 was deleted: (requested epoch, start of the next known epoch)',
  );
  c.close();
});
