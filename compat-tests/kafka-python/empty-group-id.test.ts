/**
 * kafka-python with group_id='' (the pre-0.9 "no group" habit): Kafka 3.9 stores offsets under the
 * empty group id "for backwards compatibility" (OffsetCommit, OffsetFetch, DescribeGroups and
 * DeleteGroups take it; JoinGroup does not). A consumer assigned a partition commits, reads its commit
 * back, and a second one resumes from it; the admin client lists and deletes it; subscribing with that
 * id is refused with INVALID_GROUP_ID.
 * Skips when python3-kafka is not installed.
 */
import t from 'tap';
import { brokerFor } from '../../test/helpers/broker.js';
import { createTopic } from '../../test/helpers/topics.js';
import { DEBIAN_PYTHON, hasPythonModule, run } from '../../test/helpers/external.js';

const SCRIPT = `
import sys, json
from kafka import KafkaProducer, KafkaConsumer, KafkaAdminClient, TopicPartition
from kafka.structs import OffsetAndMetadata
b, topic = sys.argv[1], sys.argv[2]
tp = TopicPartition(topic, 0)
p = KafkaProducer(bootstrap_servers=b)
for i in range(5): p.send(topic, value=b'v%d' % i, partition=0)
p.flush(); p.close()
out = {}
c = KafkaConsumer(bootstrap_servers=b, group_id='', enable_auto_commit=False, auto_offset_reset='earliest')
c.assign([tp])
c.commit({tp: OffsetAndMetadata(3, '')})
out['committed'] = c.committed(tp)
c.close()
c = KafkaConsumer(bootstrap_servers=b, group_id='', enable_auto_commit=False, auto_offset_reset='earliest', consumer_timeout_ms=3000)
c.assign([tp])
out['resumed'] = [m.offset for m in c]
c.close()
a = KafkaAdminClient(bootstrap_servers=b)
out['offsets'] = {'%s-%d' % (k.topic, k.partition): v.offset for k, v in a.list_consumer_group_offsets('').items()}
out['deleted'] = [(g, e.__name__) for g, e in a.delete_consumer_groups([''])]
out['after_delete'] = len(a.list_consumer_group_offsets(''))
a.close()
try:
    c = KafkaConsumer(topic, bootstrap_servers=b, group_id='', consumer_timeout_ms=3000)
    list(c)
    out['subscribe'] = 'joined'
except Exception as e:
    out['subscribe'] = type(e).__name__
print(json.dumps(out))
`;

t.test(
  "kafka-python group_id='': offsets commit and resume, the group is deleted; subscribing is refused",
  { skip: hasPythonModule('kafka') ? false : 'python3-kafka is not installed' },
  async (t) => {
    const running = await brokerFor(t);
    createTopic(running, 'empty-group', { partitions: 1 });
    const r = await run(DEBIAN_PYTHON, ['-c', SCRIPT, running.bootstrap, 'empty-group'], { timeoutMs: 90_000 });
    t.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    t.equal(out.committed, 3, 'the commit reads back');
    t.same(out.resumed, [3, 4], 'a second consumer resumes from it');
    t.same(out.offsets, { 'empty-group-0': 3 }, 'the admin client lists it');
    t.same(out.deleted, [['', 'NoError']], 'DeleteGroups deletes it, as Kafka 3.9 does');
    t.equal(out.after_delete, 0, 'its offsets went with it');
    t.equal(out.subscribe, 'InvalidGroupIdError', 'JoinGroup still refuses the empty id');
  },
);
