import t from 'tap';
import { brokerFor } from '../../test/helpers/broker.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { createTopic } from '../../test/helpers/topics.js';
import { batchOf, fetchOne, produce } from '../../test/helpers/data-path.js';
import { DeleteRecordsApi } from '../../protocol/generated/messages/21-delete-records.js';
import type { RawClient } from '../../test/helpers/raw-client.js';

async function deleteBefore(c: RawClient, version: number, topic: string, offset: bigint) {
  const r = await c.call(DeleteRecordsApi, version, {
    timeoutMs: 1000,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, offset }] }],
  });
  return r.topics[0]!.partitions[0]!;
}

t.test('DeleteRecords 0-2 moves the log start; -1 is the high watermark; past it is out of range', async (t) => {
  const running = await brokerFor(t);
  createTopic(running, 'dr');
  const c = await rawClient(running.port);
  for (let i = 0; i < 5; i++) await produce(c, 9, 'dr', 0, batchOf([`m${i}`]));
  const first = await deleteBefore(c, 0, 'dr', 2n);
  t.same(first, { partitionIndex: 0, lowWatermark: 2n, errorCode: 0 }, 'v0 deletes before 2');
  t.equal((await fetchOne(c, 12, { topic: 'dr', offset: 1n })).errorCode, 1, 'reading below the start is out of range');
  t.equal((await fetchOne(c, 12, { topic: 'dr', offset: 2n })).logStartOffset, 2n);
  t.equal((await deleteBefore(c, 1, 'dr', 1n)).lowWatermark, 2n, 'an older offset does not move the start back');
  t.equal((await deleteBefore(c, 2, 'dr', 6n)).errorCode, 1, 'past the high watermark');
  t.equal((await deleteBefore(c, 2, 'dr', -7n)).errorCode, 1, 'below -1');
  t.same(
    await deleteBefore(c, 2, 'dr', -1n),
    { partitionIndex: 0, lowWatermark: 5n, errorCode: 0 },
    '-1: up to the high watermark',
  );
  t.equal((await deleteBefore(c, 2, 'none', 0n)).errorCode, 3, 'unknown topic');
  const after = await produce(c, 9, 'dr', 0, batchOf(['next']));
  t.equal(after.baseOffset, 5n, 'offsets continue');
  t.equal(after.logStartOffset, 5n);
  c.close();
});
