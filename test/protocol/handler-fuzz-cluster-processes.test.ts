/**
 * The handler fuzz (test/protocol/handler-fuzz.ts) against a node of a three-node cluster of real
 * processes that is not the active controller, so that the requests it forwards (CreateTopics,
 * configs, ACLs, quotas... over Envelope) reach the controller too: every node stays up, keeps
 * serving, and logs no error; the cluster still creates and describes a topic afterwards.
 */
import t from 'tap';
import { FAST_QUORUM_SETTINGS, ProcessCluster } from '../helpers/process-cluster.js';
import { rawClient } from '../helpers/raw-client.js';
import {
  CreateTopicsApi,
  defaultCreateTopicsRequestCreatableTopic,
} from '../../protocol/generated/messages/19-create-topics.js';
import { fuzzBroker } from './handler-fuzz.js';

t.test('arbitrary requests to a follower node of three leave every node up and serving', async (t) => {
  t.setTimeout(180_000);
  const cluster = new ProcessCluster(
    {
      ...FAST_QUORUM_SETTINGS,
      'group.initial.rebalance.delay.ms': '0',
      'offsets.topic.replication.factor': '3',
      'transaction.state.log.replication.factor': '3',
    },
    'info',
  );
  cluster.captureStdout = true;
  t.teardown(() => cluster.stop());
  const view = await cluster.startRegistered(3);
  const target = cluster.nodes.find((n) => n.id !== view.leaderId)!;
  const admin = await rawClient(target.port);
  t.teardown(() => admin.close());
  const create = (name: string) =>
    admin.call(CreateTopicsApi, 7, {
      topics: [{ ...defaultCreateTopicsRequestCreatableTopic(), name, numPartitions: 3, replicationFactor: 3 }],
      timeoutMs: 5000,
      validateOnly: false,
    });
  t.equal((await create('fuzz')).topics[0]!.errorCode, 0, 'a replicated topic for the requests to name');

  const outcome = await fuzzBroker(t, target.port);
  t.equal(outcome.stoppedAfter, null, 'the node answered ApiVersions after every API');
  t.same(outcome.wronglyClosed, [], 'no connection closed over a request of a version the node advertises');
  for (const node of cluster.nodes) {
    t.equal(node.process?.exitCode ?? null, null, `node ${node.id} is still running`);
    t.ok(await cluster.metadata(node, []), `node ${node.id} answers Metadata`);
    t.ok(node.lines.length > 0, `node ${node.id}'s log lines are read`);
    const errors = node.lines.filter((line) => /"level":(5|6)0/.test(line));
    t.same(errors.slice(0, 5), [], `node ${node.id} logged no error`);
  }
  t.equal((await create('after-fuzz')).topics[0]!.errorCode, 0, 'the cluster still creates topics');
});
