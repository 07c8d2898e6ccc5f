/**
 * The single-node broker on the Raft path: a quorum of one commits at once (an auto-created topic is
 * there on the next Metadata request), DescribeQuorum names it leader, and a restart from the same
 * directory replays the committed log from the Raft files quickly.
 */
import t from 'tap';
import { startBroker } from '../index.js';
import { PeerClient } from './peer-client.js';
import { SystemClock } from '../common/clock.js';
import { MetadataApi } from '../../protocol/generated/messages/03-metadata.js';
import { DescribeQuorumApi } from '../../protocol/generated/messages/55-describe-quorum.js';

const ELECTION_TIMEOUT_MS = 20_000;

t.test('a lone voter commits synchronously, answers DescribeQuorum and recovers its log', async (t) => {
  const dataDir = t.testdir();
  // A long election timeout: a restart that waited for an election instead of recovering the
  // lone voter's leadership from its files would take at least this long.
  const config = { 'controller.quorum.election.timeout.ms': ELECTION_TIMEOUT_MS };
  const first = await startBroker({ dataDir, config });
  const client = new PeerClient(new Map([[1, { host: '127.0.0.1', port: first.port }]]), { clock: new SystemClock() });
  t.teardown(() => client.close());
  const ask = () =>
    client.request(1, MetadataApi, 9, {
      topics: [{ name: 'raft-single', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }],
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
  const starting = await ask();
  t.equal(starting.topics[0]?.errorCode, 3, 'the Metadata that starts the creation answers UNKNOWN_TOPIC_OR_PARTITION');
  const created = await ask();
  t.equal(created.topics[0]?.errorCode, 0, 'committed at once: there on the next Metadata');
  t.equal(created.controllerId, 1, 'the lone voter is the active controller');
  const quorum = await client.request(1, DescribeQuorumApi, 1, {
    topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }],
  });
  const p = quorum.topics[0]?.partitions[0];
  t.equal(p?.errorCode, 0);
  t.equal(p?.leaderId, 1);
  t.ok((p?.highWatermark ?? 0n) >= 3n, 'leader change, registration and the topic are committed');
  t.same(
    p?.currentVoters.map((v) => v.replicaId),
    [1],
  );
  const unknown = await client.request(1, DescribeQuorumApi, 1, {
    topics: [{ topicName: 'other', partitions: [{ partitionIndex: 0 }] }],
  });
  t.equal(unknown.errorCode, 3, 'UNKNOWN_TOPIC_OR_PARTITION for another partition');
  await first.stop();

  const started = Date.now();
  const second = await startBroker({ dataDir, config });
  t.teardown(() => second.stop());
  const restartMs = Date.now() - started;
  t.ok(restartMs < ELECTION_TIMEOUT_MS / 2, `restart took ${restartMs} ms, no election timeout waited out`);
  t.ok(second.broker.controller.image.topicsByName.has('raft-single'), 'the topic survived the restart');
  t.equal(second.broker.controller.image.brokers.get(1)?.fenced, false, 'registered again, unfenced');
});
