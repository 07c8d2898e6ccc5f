/**
 * librdkafka 2.0.2's group-offset admin calls (rd_kafka_AlterConsumerGroupOffsets,
 * rd_kafka_DeleteConsumerGroupOffsets, rd_kafka_ListConsumerGroupOffsets, rd_kafka_ListConsumerGroups with
 * a state filter, rd_kafka_DeleteRecords), driven through ctypes from Debian's python3 since
 * python3-confluent-kafka 1.7.0 does not wrap them (rdkafka_admin.py).
 * OffsetDelete of a partition that does not exist answers UNKNOWN_TOPIC_OR_PARTITION for it, as
 * Kafka 3.9's KafkaApis.handleOffsetDeleteRequest checks the metadata before the coordinator, while
 * the offsets of the partitions that exist are deleted; an unknown group fails the whole call with
 * GROUP_ID_NOT_FOUND. Skips when python3-confluent-kafka (and so librdkafka) is not installed.
 */
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';
import { brokerFor } from '../../test/helpers/broker.js';
import { createTopic } from '../../test/helpers/topics.js';
import { DEBIAN_PYTHON, hasPythonModule, run } from '../../test/helpers/external.js';

const here = dirname(fileURLToPath(import.meta.url));

const SCRIPT = `
import sys, json
sys.path.insert(0, sys.argv[3])
import rdkafka_admin
from confluent_kafka import Producer
if not rdkafka_admin.available():
    print(json.dumps({'skip': 'librdkafka has no 2.0 admin API'})); sys.exit(0)
b, topic = sys.argv[1], sys.argv[2]
p = Producer({'bootstrap.servers': b})
for i in range(3): p.produce(topic, b'v%d' % i, partition=0)
p.flush(10)
a = rdkafka_admin.Admin(b)
out = {}
def attempt(name, call):
    try: out[name] = call()
    except rdkafka_admin.AdminError as e: out[name] = {'error': str(e).split(':')[0]}
attempt('alter', lambda: a.alter_offsets('og', [[topic, 0, 2], [topic, 1, 1]]))
attempt('alter_unknown', lambda: a.alter_offsets('og', [[topic, 9, 1]]))
attempt('empty_groups', lambda: [g for g in a.list_groups(['Empty'])[0] if g[0] == 'og'])
attempt('stable_groups', lambda: [g for g in a.list_groups(['Stable'])[0] if g[0] == 'og'])
attempt('describe', lambda: a.describe_groups(['og']))
attempt('delete', lambda: a.delete_offsets('og', [[topic, 0], [topic, 7], ['no-such-topic', 0]]))
attempt('after_delete', lambda: a.list_offsets('og'))
attempt('delete_unknown_group', lambda: a.delete_offsets('no-such-group', [[topic, 0]]))
attempt('delete_records', lambda: a.delete_records([[topic, 0, -1]]))
a.close()
print(json.dumps(out))
`;

type Partition = [string, number, number, string | null];

t.test(
  'librdkafka group-offset admin: OffsetDelete answers UNKNOWN_TOPIC_OR_PARTITION for partitions that do not exist',
  { skip: hasPythonModule('confluent_kafka') ? false : 'python3-confluent-kafka is not installed' },
  async (t) => {
    const running = await brokerFor(t);
    createTopic(running, 'go-t', { partitions: 2 });
    const r = await run(DEBIAN_PYTHON, ['-c', SCRIPT, running.bootstrap, 'go-t', here], { timeoutMs: 90_000 });
    t.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    if (typeof out.skip === 'string') {
      t.comment(`skipped: ${out.skip}`);
      return;
    }
    t.same(
      out.alter,
      [
        'og',
        null,
        [
          ['go-t', 0, 2, null],
          ['go-t', 1, 1, null],
        ],
      ],
      'AlterConsumerGroupOffsets',
    );
    t.same(out.alter_unknown, ['og', null, [['go-t', 9, 1, 'UNKNOWN_TOPIC_OR_PART']]], 'a missing partition');
    t.same(out.empty_groups, [['og', 'Empty', true]], 'the offsets-only group lists as Empty and simple');
    t.same(out.stable_groups, [], 'and not under a Stable filter');
    t.same(out.describe, [{ group: 'og', error: null, state: 'Empty', members: 0 }], 'DescribeConsumerGroups');
    const [group, groupError, partitions] = out.delete as [string, string | null, Partition[]];
    t.equal(group, 'og');
    t.equal(groupError, null, 'no group-level error');
    const byPartition = (p: Partition[]): string[] => p.map(([tp, i, , e]) => `${tp}-${i}:${e ?? 'ok'}`).sort();
    t.same(
      byPartition(partitions),
      ['go-t-0:ok', 'go-t-7:UNKNOWN_TOPIC_OR_PART', 'no-such-topic-0:UNKNOWN_TOPIC_OR_PART'],
      'partitions that do not exist get UNKNOWN_TOPIC_OR_PARTITION; the existing one is deleted',
    );
    t.same(out.after_delete, ['og', null, [['go-t', 1, 1, null]]], 'only the undeleted offset is left');
    t.same(out.delete_unknown_group, { error: 'GROUP_ID_NOT_FOUND' }, 'an unknown group fails the call');
    t.same(out.delete_records, [['go-t', 0, 3, null]], 'DeleteRecords to the high watermark');
  },
);
