/**
 * Three voter processes plus one broker-only process (process.roles=broker, not in
 * controller.quorum.voters): the observer follows the leader, registers unfenced, takes kafkajs admin
 * requests (forwarded), follows the new leader after kill -9 of the old one, and after its own
 * kill -9 and restart catches up from its files plus the leader.
 */
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import {
  FAST_QUORUM_SETTINGS,
  ProcessCluster,
  bundleNode,
  freePort,
  type ClusterNode,
} from '../../test/helpers/process-cluster.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { DescribeQuorumApi } from '../../protocol/generated/messages/55-describe-quorum.js';
import { MetadataApi } from '../../protocol/generated/messages/03-metadata.js';

const ROOT = resolve(import.meta.dirname, '../..');

async function quorumView(port: number): Promise<{ leaderId: number; leaderEpoch: number; voters: number[] } | null> {
  try {
    const c = await rawClient(port);
    try {
      const r = await c.call(DescribeQuorumApi, 1, {
        topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }],
      });
      const p = r.topics[0]?.partitions[0];
      return p && p.errorCode === 0
        ? { leaderId: p.leaderId, leaderEpoch: p.leaderEpoch, voters: p.currentVoters.map((v) => v.replicaId).sort() }
        : null;
    } finally {
      c.close();
    }
  } catch {
    return null;
  }
}

async function metadata(
  port: number,
  topics: string[],
): Promise<Awaited<ReturnType<typeof MetadataApi.decodeResponse>> | null> {
  try {
    const c = await rawClient(port);
    try {
      return await c.call(MetadataApi, 9, {
        topics: topics.map((name) => ({ name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' })),
        allowAutoTopicCreation: false,
        includeClusterAuthorizedOperations: false,
        includeTopicAuthorizedOperations: false,
      });
    } finally {
      c.close();
    }
  } catch {
    return null;
  }
}

// Real processes on a possibly loaded 2-core machine: a file bound well above tap's 240 s (a node can take
// tens of seconds to start), so that a slow run finishes instead of being cut short.
t.setTimeout(600_000);

t.test('a broker-only process observes three voter processes', async (t) => {
  const cluster = new ProcessCluster(FAST_QUORUM_SETTINGS);
  const file = await bundleNode('test/helpers/node-process.ts');
  let observer: ChildProcess | null = null;
  t.teardown(async () => {
    observer?.kill('SIGKILL');
    await cluster.stop();
    rmSync(resolve(file, '..'), { recursive: true, force: true });
  });
  await cluster.start(3);
  const all = cluster.nodes;
  const port = await freePort();
  const dir = join(cluster.base, 'observer-4');
  const startObserver = (): ChildProcess => {
    const overrides: Record<string, string> = {
      ...FAST_QUORUM_SETTINGS,
      'node.id': '4',
      'process.roles': 'broker',
      'cluster.id': 'gregor-quorum-test-cluster',
      listeners: `PLAINTEXT://127.0.0.1:${port}`,
      'controller.quorum.voters': all.map((n) => `${n.id}@127.0.0.1:${n.controllerPort}`).join(','),
      'log.dirs': dir,
    };
    const args = [file];
    for (const [k, v] of Object.entries(overrides)) args.push('--override', `${k}=${v}`);
    return spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, GREGOR_LOG_LEVEL: 'warn' },
      stdio: ['pipe', 'inherit', 'inherit'],
    });
  };
  observer = startObserver();

  const first = await cluster.waitFor('a leader the observer knows', 20000, async () => {
    const [v, o] = await Promise.all([cluster.agreedLeader(all), quorumView(port)]);
    return v && o && o.leaderId === v.leaderId && v;
  });
  const seen = await quorumView(port);
  t.same(seen?.voters, [1, 2, 3], 'the observer is not among the voters');
  await cluster.waitFor('four unfenced brokers', 10000, async () => (await metadata(port, []))?.brokers.length === 4);
  t.pass(`the observer follows node ${first.leaderId} and is registered, unfenced`);

  const admin = new Kafka({
    clientId: 'observer-processes',
    brokers: [`127.0.0.1:${port}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 500 },
  }).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  t.equal(
    await admin.createTopics({ topics: [{ topic: 'obs-a', numPartitions: 2 }] }),
    true,
    'createTopics through the observer',
  );
  const everywhere = async (topic: string, nodes: ClusterNode[]): Promise<boolean> => {
    const answers = await Promise.all([...nodes.map((n) => metadata(n.port, [topic])), metadata(port, [topic])]);
    return answers.every((a) => a?.topics[0]?.errorCode === 0);
  };
  await cluster.waitFor('obs-a on all four', 5000, () => everywhere('obs-a', all));

  const leader = all.find((n) => n.id === first.leaderId)!;
  cluster.kill(leader);
  const survivors = all.filter((n) => n !== leader);
  const second = await cluster.waitFor('the observer follows the new leader', 15000, async () => {
    const [v, o] = await Promise.all([cluster.agreedLeader(survivors, leader.id), quorumView(port)]);
    return v && o && o.leaderId === v.leaderId && v;
  });
  t.ok(second.leaderEpoch > first.leaderEpoch, `node ${second.leaderId} leads epoch ${second.leaderEpoch}`);
  t.equal(
    await admin.createTopics({ topics: [{ topic: 'obs-b', numPartitions: 1 }] }),
    true,
    'createTopics after the failover',
  );
  await cluster.waitFor('obs-b on the survivors and the observer', 5000, () => everywhere('obs-b', survivors));
  await admin.disconnect();

  observer.kill('SIGKILL');
  await new Promise((r) => observer!.once('exit', r));
  observer = startObserver();
  await cluster.waitFor(
    'the restarted observer has both topics',
    15000,
    async () => (await everywhere('obs-a', [])) && (await everywhere('obs-b', [])),
  );
  t.pass('the observer restarted from its files and caught up');
});
