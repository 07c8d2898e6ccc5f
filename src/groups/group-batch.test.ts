/**
 * encodeGroupBatch writes exactly the bytes of buildRecordBatch over encodeGroupRecords
 * (checked on random offset commits, tombstones, explicit expiries, non-ASCII strings,
 * group metadata records and many-record batches), decodes back to the records, and
 * refuses what the generic encoder refuses.
 */
import t from 'tap';
import fc from 'fast-check';
import { buildRecordBatch, decodeRecordBatches } from '../../protocol/records/index.js';
import { encodeGroupBatch } from './group-batch.js';
import { decodeGroupRecord, encodeGroupRecords, type GroupRecord } from './records.js';

const reference = (records: GroupRecord[], timestamp: bigint, epoch = -1): Buffer =>
  buildRecordBatch({
    records: encodeGroupRecords(records).map((r) => ({ key: r.key, value: r.value, timestamp })),
    partitionLeaderEpoch: epoch,
  });

/** fc.record without null prototypes, so decoded records compare equal. */
const rec = <T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> =>
  fc.record(model, { noNullPrototype: true });
const text = fc.string({ unit: 'binary', maxLength: 40 });
const offsetRecord: fc.Arbitrary<GroupRecord> = rec({
  kind: fc.constant('offset' as const),
  groupId: text,
  topic: text,
  partition: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  value: fc.option(
    rec({
      offset: fc.oneof(
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        fc.bigInt({ min: -(2n ** 53n), max: 2n ** 53n }),
      ),
      leaderEpoch: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
      metadata: text,
      commitTimestamp: fc.bigInt({ min: 0n, max: 2n ** 50n }),
      expireTimestamp: fc.oneof(fc.constant(-1n), fc.bigInt({ min: 0n, max: 2n ** 50n })),
    }).map((v) => (v.expireTimestamp >= 0n ? { ...v, leaderEpoch: -1 } : v)), // v1 values (explicit expiry) carry no leader epoch
    { nil: null },
  ),
});
const groupRecord: fc.Arbitrary<GroupRecord> = rec({
  kind: fc.constant('group' as const),
  groupId: text,
  value: fc.option(
    rec({
      protocolType: text,
      generation: fc.integer({ min: 0, max: 1000 }),
      protocol: fc.option(text, { nil: null }),
      leader: fc.option(text, { nil: null }),
      currentStateTimestamp: fc.bigInt({ min: -1n, max: 2n ** 50n }),
      members: fc.array(
        rec({
          memberId: text,
          groupInstanceId: fc.option(text, { nil: null }),
          clientId: text,
          clientHost: text,
          rebalanceTimeout: fc.integer({ min: 0, max: 100000 }),
          sessionTimeout: fc.integer({ min: 0, max: 100000 }),
          subscription: fc.uint8Array({ maxLength: 20 }).map((a) => Buffer.from(a)),
          assignment: fc.uint8Array({ maxLength: 20 }).map((a) => Buffer.from(a)),
        }),
        { maxLength: 3 },
      ),
    }),
    { nil: null },
  ),
});

t.test('same bytes as the generic batch builder, and they decode back', async (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof({ weight: 4, arbitrary: offsetRecord }, { weight: 1, arbitrary: groupRecord }), {
        minLength: 1,
        maxLength: 30,
      }),
      fc.bigInt({ min: 0n, max: 2n ** 50n }),
      fc.integer({ min: -1, max: 100 }),
      (records, timestamp, epoch) => {
        const batch = encodeGroupBatch(records, timestamp, epoch);
        if (!batch.equals(reference(records, timestamp, epoch))) throw new Error('bytes differ');
        const [decoded] = [...decodeRecordBatches(batch)];
        const back = decoded!.records.map((r) => decodeGroupRecord(r.key!, r.value));
        if (!t.same(back, records)) throw new Error('decoded records differ');
      },
    ),
    { numRuns: 200 },
  );
});

t.test('a batch of a thousand commits (multi-byte varints) matches too', async (t) => {
  const records: GroupRecord[] = Array.from({ length: 1000 }, (_, i) => ({
    kind: 'offset',
    groupId: `bench-group-${i}`,
    topic: 'commit-bench',
    partition: i % 4,
    value: {
      offset: BigInt(i * 100),
      leaderEpoch: -1,
      metadata: i % 7 === 0 ? 'x'.repeat(200) : '',
      commitTimestamp: 1700000000000n,
      expireTimestamp: -1n,
    },
  }));
  t.ok(encodeGroupBatch(records, 1700000000000n).equals(reference(records, 1700000000000n)));
});

t.test('refuses what the generic encoder refuses', async (t) => {
  const long: GroupRecord = {
    kind: 'offset',
    groupId: 'g',
    topic: 't',
    partition: 0,
    value: { offset: 1n, leaderEpoch: -1, metadata: 'é'.repeat(20000), commitTimestamp: 1n, expireTimestamp: -1n },
  };
  t.throws(() => encodeGroupRecords([long]));
  t.throws(() => encodeGroupBatch([long], 1n));
  t.throws(() => encodeGroupBatch([], 1n), RangeError);
});
