/** encodeGroupRecords: many records in one buffer decode back one by one, tombstones and large byte fields included. */
import t from 'tap';
import { decodeGroupRecord, encodeGroupRecord, encodeGroupRecords, type GroupRecord } from './records.js';

t.test('records encoded together decode back to what went in', async (t) => {
  const records: GroupRecord[] = [
    {
      kind: 'offset',
      groupId: 'g1',
      topic: 't',
      partition: 3,
      value: { offset: 42n, leaderEpoch: 5, metadata: 'm', commitTimestamp: 1700000000000n, expireTimestamp: -1n },
    },
    {
      kind: 'offset',
      groupId: 'g2',
      topic: 'tópico',
      partition: 0,
      value: { offset: 7n, leaderEpoch: -1, metadata: '', commitTimestamp: 1n, expireTimestamp: 99n },
    },
    { kind: 'offset', groupId: 'g1', topic: 't', partition: 4, value: null },
    {
      kind: 'group',
      groupId: 'g3',
      value: {
        protocolType: 'consumer',
        generation: 4,
        protocol: 'range',
        leader: 'm1',
        currentStateTimestamp: 1700000000000n,
        members: [
          {
            memberId: 'm1',
            groupInstanceId: null,
            clientId: 'c',
            clientHost: '/127.0.0.1',
            rebalanceTimeout: 1000,
            sessionTimeout: 1000,
            subscription: Buffer.alloc(10, 1),
            assignment: Buffer.alloc(5000, 2),
          },
        ],
      },
    },
    { kind: 'group', groupId: 'g4', value: null },
  ];
  const encoded = encodeGroupRecords(records);
  t.equal(encoded.length, records.length);
  const decoded = encoded.map((r) => decodeGroupRecord(r.key, r.value));
  t.same(decoded, records);
  t.same(encodeGroupRecord(records[0]!), encoded[0], 'the single-record form gives the same bytes');
  t.same(encodeGroupRecords([]), []);
});
