/**
 * The Go clients against three real Gregor processes: kafka-go's Conn, Writer and group Readers
 * on the cluster (CreateTopics and DeleteTopics forwarded to the controller, partitions led by
 * different nodes, the group coordinator on one of them); sarama's producers and consumers with
 * message format 1 (0.10.2.0) and its ConsumerGroup (2.2.0); then a sarama 2.2.0 SyncProducer with
 * acks=all on a topic with 3 replicas and min.insync.replicas=2, kill -9 of the partition's
 * leader, more sends retried through the leader change, and every acknowledged message read back
 * in order by sarama consumers with Fetch v3 (message format 1) and v4.
 */
import t from 'tap';
import { FAST_QUORUM_SETTINGS, ProcessCluster } from '../../test/helpers/process-cluster.js';
import { run } from '../../test/helpers/external.js';
import { buildGoChecks, goSkip, requireGo, runChecks } from './go-checks.js';

t.setTimeout(400_000);

t.test('sarama and kafka-go on a three-node cluster, with a leader killed', { skip: goSkip() }, async (t) => {
  if (!requireGo(t)) return;
  const binaries = await buildGoChecks(t);
  if (!binaries) return;
  const cluster = new ProcessCluster({ ...FAST_QUORUM_SETTINGS });
  t.teardown(() => cluster.stop());
  await cluster.startRegistered(3);
  const bootstrapOf = (ids: number[]): string =>
    cluster.nodes
      .filter((n) => ids.includes(n.id))
      .map((n) => `127.0.0.1:${n.port}`)
      .join(',');
  const all = bootstrapOf(cluster.nodes.map((n) => n.id));
  const kafkago = binaries['kafkago-check'];
  await runChecks(t, kafkago, ['conn', all, 'kg-conn'], 10);
  await runChecks(t, kafkago, ['writer', all, 'kg-writer'], 4);
  await runChecks(t, kafkago, ['group', all, 'kg-group'], 4);

  const sarama = binaries['sarama-check'];
  // Partitions led by different nodes, the group coordinator on one of them.
  await runChecks(t, sarama, ['produce', all, '0.10.2.0'], 10);
  await runChecks(t, sarama, ['group', all, '2.2.0'], 8);
  const topic = 'go-failover';
  await runChecks(t, sarama, ['failover', all, 'create', topic], 1);
  await runChecks(t, sarama, ['failover', all, 'produce', topic, '0', '40'], 1);
  const leaderLine = await leaderOf(sarama, all, topic);
  const leader = cluster.nodes.find((n) => n.id === leaderLine);
  if (!leader) {
    t.fail(`no node is the leader the client named (${leaderLine})`);
    return;
  }
  cluster.kill(leader);
  t.comment(`killed node ${leader.id}, the leader of ${topic}-0`);
  const live = bootstrapOf(cluster.nodes.filter((n) => n.id !== leader.id).map((n) => n.id));
  await runChecks(t, sarama, ['failover', live, 'produce', topic, '40', '40'], 1, 180_000);
  await runChecks(t, sarama, ['failover', live, 'consume', topic, '80'], 2, 180_000);
});

/** The leader of the topic's partition 0, as sarama's metadata names it (-1 if it could not say). */
async function leaderOf(binary: string, bootstrap: string, topic: string): Promise<number> {
  const result = await run(binary, ['failover', bootstrap, 'leader', topic], { timeoutMs: 60_000 });
  const m = /^leader (\d+)$/m.exec(result.stdout);
  return m ? Number(m[1]) : -1;
}
