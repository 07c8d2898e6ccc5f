/**
 * Issue #15: a KIP-848 consumer group (ConsumerGroupHeartbeat, server-side assignment) across
 * broker failures on three real processes, with @platformatic/kafka (`groupProtocol: 'consumer'`;
 * the installed librdkafka 2.0.2 predates KIP-848 and kafkajs speaks only the classic protocol).
 * Two members on six partitions commit every record after taking it. After a kill -9 of the
 * coordinator's broker and again after a kill -9 and restart of all three nodes: both members keep
 * their member ids and share the six partitions, every record is consumed, committed offsets never
 * go back, and duplicates stay within at-least-once (one record in flight per partition per failure),
 * and no member's stream failed (a failed stream unsubscribes its consumer for good). On a failure the
 * members' timeline (assignments, stream and heartbeat errors) is printed; the nodes' logs are in the
 * output too (FAILOVER_LOG=info for more, KEEP_CLUSTER_DIR=1 keeps their data).
 */
import '../../compat-tests/platformatic/node20-shim.js';
import t from 'tap';
import { Consumer, stringDeserializers, type Message, type MessagesStream } from '@platformatic/kafka';
import type { Admin } from 'kafkajs';
import { ProcessCluster } from '../../test/helpers/process-cluster.js';
import {
  CommitWatch,
  FAILOVER_SETTINGS,
  bootstrapOf,
  committedOffsets,
  coordinatorOf,
  duplicates,
  kafkaOn,
  killAndWait,
  produceBatch,
  restartAll,
  startThree,
  until,
} from '../../test/helpers/group-failover.js';

const GROUP = 'fo-kip848';
const TOPIC = 'fo-kip848';
const PARTITIONS = 6;
const BATCH = 60;

interface Member {
  name: string;
  consumer: Consumer<string, string, string, string>;
  stream: MessagesStream<string, string, string, string>;
}

// Real processes on a possibly loaded 2-core machine: a file bound well above tap's 240 s (a node can take
// tens of seconds to start), so that a slow run finishes instead of being cut short.
t.setTimeout(600_000);

t.test('a KIP-848 group keeps members and commits across kill -9 of the coordinator and a full restart', async (t) => {
  t.setTimeout(400_000);
  const cluster = new ProcessCluster(FAILOVER_SETTINGS, process.env.FAILOVER_LOG ?? 'warn');
  t.teardown(() => cluster.stop());
  await startThree(cluster);
  const nodes = cluster.nodes;
  const admins: Admin[] = [];
  t.teardown(() => Promise.all(admins.map((a) => a.disconnect())));
  const adminOn = async (live = nodes): Promise<Admin> => {
    const a = kafkaOn(live, 'kip848-failover-admin').admin();
    await a.connect();
    admins.push(a);
    return a;
  };
  const admin = await adminOn();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3 }] });

  const counts = new Map<string, number>();
  // What the members saw, with times (printed if the test fails): assignments, stream and heartbeat errors.
  const timeline: string[] = [];
  const note = (what: string): number => timeline.push(`${new Date().toISOString()} ${what}`);
  const streamErrors: string[] = [];
  t.teardown(() => {
    if (!t.passing()) process.stdout.write(`# members' timeline:\n# ${timeline.join('\n# ')}\n`);
  });
  const members: Member[] = [];
  t.teardown(async () => {
    for (const m of members) await m.consumer.close(true).catch(() => undefined);
  });
  for (const name of ['a', 'b']) {
    const consumer = new Consumer({
      clientId: `kip848-${name}`,
      groupId: GROUP,
      groupProtocol: 'consumer',
      bootstrapBrokers: bootstrapOf(nodes),
      deserializers: stringDeserializers,
      maxWaitTime: 200,
      // A full restart on a loaded machine can keep the nodes from serving for tens of seconds; a member
      // that runs out of retries stops heartbeating for good, so it may retry for two minutes.
      retries: 480,
      retryDelay: 250,
    });
    const stream = await consumer.consume({
      topics: [TOPIC],
      mode: 'committed',
      fallbackMode: 'earliest',
      autocommit: false,
    });
    stream.on('data', (message: Message<string, string, string, string>) => {
      counts.set(message.value, (counts.get(message.value) ?? 0) + 1);
      void Promise.resolve(message.commit()).catch(() => undefined);
    });
    // A stream that fails is closed for good: its consumer unsubscribes and gives its partitions up.
    stream.on('error', (e: Error & { errors?: Error[] }) => {
      const causes = (e.errors ?? []).map((c) => c.message).join('; ');
      streamErrors.push(`${name}: ${e.message} ${causes}`);
      note(`${name} stream error: ${e.message} ${causes}`);
    });
    consumer.on('consumer:heartbeat:error', (e: { error?: Error & { response?: { errorCode?: number } } }) =>
      note(`${name} heartbeat error ${e.error?.response?.errorCode ?? ''} ${e.error?.message ?? ''}`),
    );
    members.push({ name, consumer, stream });
  }
  const owned = (m: Member): number[] =>
    (m.consumer.assignments ?? []).flatMap((a) => (a.topic === TOPIC ? a.partitions : [])).sort((x, y) => x - y);
  const state = (): string =>
    members.map((m) => `${m.name} ${m.consumer.memberId}: [${owned(m).join(',')}]`).join('; ');
  let lastState = '';
  const watcher = setInterval(() => {
    const now = state();
    if (now !== lastState) note((lastState = now));
  }, 20);
  t.teardown(() => clearInterval(watcher));
  const shared = (): boolean => {
    const all = members.flatMap(owned);
    return members.every((m) => owned(m).length > 0) && all.length === PARTITIONS && new Set(all).size === PARTITIONS;
  };
  await until('two members sharing six partitions', 60_000, shared, state);
  const ids = members.map((m) => m.consumer.memberId);

  const watch = new CommitWatch();
  const produced: string[] = [];
  const roundOfRecords = async (label: string, a: Admin, live = nodes): Promise<number> => {
    const producer = kafkaOn(live, `kip848-producer-${label}`).producer();
    await producer.connect();
    const started = Date.now();
    produced.push(...(await produceBatch(producer, TOPIC, label, BATCH, PARTITIONS)));
    await producer.disconnect();
    await until(`the ${label} records consumed`, 60_000, () => produced.every((v) => counts.has(v)), state);
    const perPartition = produced.length / PARTITIONS;
    await until(
      `the ${label} records committed`,
      60_000,
      async () => {
        const offsets = await committedOffsets(a, GROUP, TOPIC);
        if (offsets === null) return false;
        watch.observe(GROUP, offsets);
        return offsets.length === PARTITIONS && offsets.every((o) => o === perPartition);
      },
      () => `${state()}; committed ${watch.last(GROUP).join(',')}`,
      100,
    );
    return Date.now() - started;
  };
  const sameMembers = async (what: string): Promise<void> => {
    await until(`${what}: two members sharing six partitions`, 30_000, shared, state);
    t.same(
      members.map((m) => m.consumer.memberId),
      ids,
      `${what}: both members kept their member ids`,
    );
  };

  await roundOfRecords('before', admin);

  const coordinatorId = await cluster.waitFor('the coordinator', 20_000, () => coordinatorOf(nodes[0]!, GROUP));
  const victim = nodes.find((n) => n.id === coordinatorId)!;
  const survivors = nodes.filter((n) => n !== victim);
  note(`kill -9 of node ${victim.id}`);
  await killAndWait(cluster, victim);
  const survivorAdmin = await adminOn(survivors);
  const afterKillMs = await roundOfRecords('after-kill', survivorAdmin, survivors);
  t.comment(`records produced after the kill of node ${victim.id} consumed and committed in ${afterKillMs} ms`);
  t.not(await coordinatorOf(survivors[0]!, GROUP), victim.id, 'a survivor coordinates the group');
  await sameMembers('after the kill -9 of the coordinator');

  note('kill -9 of all nodes, restart');
  await restartAll(cluster);
  note('restarted: a quorum leader');
  await roundOfRecords('after-restart', await adminOn());
  await sameMembers('after a restart of all three nodes');

  t.same(watch.regressions, [], 'no committed offset ever went back');
  // Before the fix in broker/partition-health.ts: "fetch failed: Cannot find broker with node id 2"
  // (Metadata named a restarted, still fenced broker as leader and left it out of the brokers list).
  t.same(streamErrors, [], 'no consumer stream failed');
  t.ok(
    produced.every((v) => counts.has(v)),
    `all ${produced.length} records consumed`,
  );
  const twice = duplicates(counts);
  // Each round is consumed and committed in full before the next failure; a member commits each
  // record on its own and ignores a failed commit, so while the coordinator moves, records of the
  // round in flight whose commits failed may be delivered again after a reassignment: at most one
  // round per failure (at-least-once), never a committed record.
  t.ok(twice <= 2 * BATCH, `${twice} records consumed twice (at most one round of ${BATCH} per failure)`);
});
