/**
 * Small records in large batches from a real client (issue #20's 100 B produce workload): librdkafka
 * (python3-confluent-kafka) sends 40,000 values of 99 bytes with acks=1 in batches of up to 1 MB, so a batch
 * carries thousands of records and those past the 8,192nd have 3-byte offset and timestamp deltas (the
 * record walk's fast path, protocol/records/record-walk-fast.ts, reads those with its long-varint step).
 * Everything is read back with Fetch: every record once, offsets 0..n-1 in the order sent, each value intact,
 * and at least one batch longer than 8,192 records, so the long-delta path was taken.
 */
import t from 'tap';
import { decodeRecordBatches } from '../../protocol/records/batch-decode.js';
import { brokerFor } from '../../test/helpers/broker.js';
import { fetchOne } from '../../test/helpers/data-path.js';
import { DEBIAN_PYTHON, hasPythonModule, run } from '../../test/helpers/external.js';
import { rawClient } from '../../test/helpers/raw-client.js';

const MESSAGES = 40_000;
const TOPIC = 'small-records';

const PRODUCE = `
import sys
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic
bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
admin = AdminClient({'bootstrap.servers': bootstrap})
admin.create_topics([NewTopic(topic, 1, 1)])[topic].result(30)
acked = 0
failed = 0
def report(err, msg):
    global acked, failed
    if err is None: acked += 1
    else: failed += 1
p = Producer({'bootstrap.servers': bootstrap, 'acks': 1, 'linger.ms': 500, 'batch.size': 1000000,
              'batch.num.messages': 100000, 'queue.buffering.max.messages': 200000,
              'compression.type': 'none', 'enable.idempotence': False})
for i in range(count):
    while True:
        try:
            p.produce(topic, value=b'%08d' % i + b'v' * 91, partition=0, on_delivery=report)
            break
        except BufferError:
            p.poll(0.05)
p.flush(60)
print(acked, failed)
`;

const skip = hasPythonModule('confluent_kafka') ? false : 'python3-confluent-kafka missing';

t.test(
  '40,000 records of 99 B in ~1 MB batches from librdkafka are stored once each, in order',
  { skip },
  async (t) => {
    const broker = await brokerFor(t);
    const produced = await run(DEBIAN_PYTHON, ['-c', PRODUCE, `127.0.0.1:${broker.port}`, TOPIC, String(MESSAGES)], {
      timeoutMs: 90_000,
    });
    t.equal(produced.code, 0, produced.stderr);
    t.equal(produced.stdout.trim(), `${MESSAGES} 0`, 'every record acknowledged');

    const client = await rawClient(broker.port);
    t.teardown(() => client.close());
    let next = 0n;
    let longestBatch = 0;
    let wrong = 0;
    // Bounded: each fetch returns at least one whole batch of the 40,000 records.
    for (let fetches = 0; next < BigInt(MESSAGES) && fetches < 200; fetches++) {
      const partition = await fetchOne(client, 12, { topic: TOPIC, offset: next, partitionMaxBytes: 4 << 20 });
      t.equal(partition.errorCode, 0, 'fetch answers NONE');
      const records = partition.records;
      if (records === null || records.length === 0) break;
      for (const batch of decodeRecordBatches(records, { allowPartialTrailing: true })) {
        longestBatch = Math.max(longestBatch, batch.records.length);
        for (const record of batch.records) {
          if (record.offset !== next) continue;
          const expected = `${String(next).padStart(8, '0')}${'v'.repeat(91)}`;
          if (record.value?.toString('latin1') !== expected) wrong++;
          next++;
        }
      }
    }
    t.equal(next, BigInt(MESSAGES), 'offsets 0..n-1, each read once, in order');
    t.equal(wrong, 0, 'every value as sent, at the offset of its place in the order');
    t.ok(longestBatch > 8192, `a batch past 8,192 records (longest ${longestBatch}), so 3-byte deltas were walked`);
  },
);
