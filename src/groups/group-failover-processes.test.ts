/**
 * Issue #15: classic consumer groups across broker failures, on three real processes with
 * python3-confluent-kafka (librdkafka) members: an eager group (range), a cooperative-sticky one
 * and one of static members (group.instance.id), two members each, committing every record after
 * processing it. All three groups have one coordinator (`__consumer_offsets` has one partition,
 * three replicas). After a kill -9 of the coordinator's broker, and again after a kill -9 and
 * restart of all three nodes: the groups are Stable with the same members (member ids unchanged:
 * nobody rejoined), every record produced before and after is consumed, a committed offset never
 * goes back (watched all along), and records are consumed twice only as at-least-once allows (one
 * record in flight per partition at each failure).
 */
import t from 'tap';
import { fileURLToPath } from 'node:url';
import type { Admin } from 'kafkajs';
import { ProcessCluster } from '../../test/helpers/process-cluster.js';
import { DEBIAN_PYTHON, hasPythonModule } from '../../test/helpers/external.js';
import {
  balanced,
  consumptionCounts,
  describeMembers,
  startJsonMember,
  type GroupMember,
} from '../../compat-tests/librdkafka/groups-members.js';
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

const script = fileURLToPath(new URL('../../compat-tests/librdkafka/groups_member.py', import.meta.url));
const skip = hasPythonModule('confluent_kafka') ? false : 'python3-confluent-kafka is not installed';
const PARTITIONS = 6;
const BATCH = 60;
const SESSION_MS = '45000'; // longer than a full restart of three nodes on a loaded machine

interface GroupUnderTest {
  group: string;
  strategy: 'range' | 'cooperative-sticky';
  staticMembers: boolean;
  members: GroupMember[];
  produced: string[];
}

// Real processes on a possibly loaded 2-core machine: a file bound well above tap's 240 s (a node can take
// tens of seconds to start), so that a slow run finishes instead of being cut short.
t.setTimeout(600_000);

t.test(
  'classic groups keep members and commits across kill -9 of the coordinator and a full restart',
  { skip },
  async (t) => {
    t.setTimeout(400_000);
    const cluster = new ProcessCluster(FAILOVER_SETTINGS, process.env.FAILOVER_LOG ?? 'warn');
    t.teardown(() => cluster.stop());
    await startThree(cluster);
    const nodes = cluster.nodes;
    const groups: GroupUnderTest[] = [
      { group: 'fo-eager', strategy: 'range', staticMembers: false, members: [], produced: [] },
      { group: 'fo-cooperative', strategy: 'cooperative-sticky', staticMembers: false, members: [], produced: [] },
      { group: 'fo-static', strategy: 'range', staticMembers: true, members: [], produced: [] },
    ];
    t.teardown(() => groups.forEach((g) => g.members.forEach((m) => m.kill())));
    const admins: Admin[] = [];
    t.teardown(() => Promise.all(admins.map((a) => a.disconnect())));
    const adminOn = async (live = nodes): Promise<Admin> => {
      const a = kafkaOn(live, 'failover-admin').admin();
      await a.connect();
      admins.push(a);
      return a;
    };
    const admin = await adminOn();
    await admin.createTopics({
      topics: groups.map((g) => ({ topic: g.group, numPartitions: PARTITIONS, replicationFactor: 3 })),
    });

    const bootstrap = bootstrapOf(nodes).join(',');
    for (const g of groups)
      for (const name of ['a', 'b'])
        g.members.push(
          startJsonMember(`${g.group}-${name}`, DEBIAN_PYTHON, [
            script,
            bootstrap,
            g.group,
            g.group,
            g.strategy,
            SESSION_MS,
            ...(g.staticMembers ? [`${g.group}-${name}`] : []),
          ]),
        );
    const state = (): string => groups.map((g) => `${g.group}: ${describeMembers(g.members)}`).join(' | ');
    for (const g of groups)
      await until(
        `${g.group}: two members sharing ${PARTITIONS} partitions`,
        60_000,
        () => balanced(g.members, PARTITIONS),
        state,
      );

    const watch = new CommitWatch();
    /** Produces a batch to every group's topic, then waits until each group has consumed and committed all. */
    const roundOfRecords = async (label: string, a: Admin, live = nodes): Promise<number> => {
      const producer = kafkaOn(live, `failover-producer-${label}`).producer();
      await producer.connect();
      const started = Date.now();
      for (const g of groups) g.produced.push(...(await produceBatch(producer, g.group, label, BATCH, PARTITIONS)));
      await producer.disconnect();
      for (const g of groups) {
        const counts = (): Map<string, number> => consumptionCounts(g.members);
        // On a timeout: which records are missing (by partition), the members' last errors and positions.
        const missing = (): string => {
          const seen = counts();
          const lost = g.produced.filter((v) => !seen.has(v));
          const byPartition = new Map<number, number>();
          for (const v of lost) {
            const p = Number(v.slice(v.lastIndexOf('-') + 1)) % PARTITIONS;
            byPartition.set(p, (byPartition.get(p) ?? 0) + 1);
          }
          const last = g.members.map((m) => {
            const tail = new Map<number, number>();
            for (const msg of m.messages) tail.set(msg.partition, msg.offset);
            return `${m.name} last offsets ${JSON.stringify([...tail])} errors ${JSON.stringify(m.errors.slice(-3))}`;
          });
          return `${state()}; ${g.group} missing ${lost.length} (by partition ${JSON.stringify([...byPartition])}); ${last.join('; ')}`;
        };
        await until(
          `${g.group}: the ${label} records consumed`,
          60_000,
          () => g.produced.every((v) => counts().has(v)),
          missing,
        );
        const perPartition = g.produced.length / PARTITIONS;
        await until(
          `${g.group}: the ${label} records committed`,
          60_000,
          async () => {
            const offsets = await committedOffsets(a, g.group, g.group);
            if (offsets === null) return false;
            watch.observe(g.group, offsets);
            return offsets.length === PARTITIONS && offsets.every((o) => o === perPartition);
          },
          () => `${state()}; committed ${watch.last(g.group).join(',')}`,
          100,
        );
      }
      return Date.now() - started;
    };
    const memberIds = async (a: Admin): Promise<Map<string, string[]>> => {
      const described = await a.describeGroups(groups.map((g) => g.group));
      return new Map(
        described.groups
          .filter((d) => d.state === 'Stable')
          .map((d) => [d.groupId, d.members.map((m) => m.memberId).sort()]),
      );
    };
    const stableWithSameMembers = async (a: Admin, before: Map<string, string[]>, what: string): Promise<void> => {
      let now = new Map<string, string[]>();
      await until(
        what,
        30_000,
        async () => {
          now = await memberIds(a).catch(() => new Map<string, string[]>());
          return groups.every((g) => now.has(g.group));
        },
        () => JSON.stringify([...now]),
        200,
      );
      for (const g of groups) t.same(now.get(g.group), before.get(g.group), `${g.group}: ${what}, same member ids`);
    };

    await roundOfRecords('before', admin);
    const before = await memberIds(admin);
    t.same(
      groups.map((g) => before.get(g.group)?.length),
      [2, 2, 2],
      'three Stable groups of two members',
    );

    // kill -9 of the coordinator's broker
    const coordinatorId = await cluster.waitFor('the coordinator', 20_000, () => coordinatorOf(nodes[0]!, 'fo-eager'));
    for (const g of groups.slice(1))
      t.equal(await coordinatorOf(nodes[0]!, g.group), coordinatorId, `${g.group} has the same coordinator`);
    const victim = nodes.find((n) => n.id === coordinatorId)!;
    const survivors = nodes.filter((n) => n !== victim);
    await killAndWait(cluster, victim);
    const survivorAdmin = await adminOn(survivors);
    const afterKillMs = await roundOfRecords('after-kill', survivorAdmin, survivors);
    t.comment(`records produced after the kill of node ${victim.id} consumed and committed in ${afterKillMs} ms`);
    const newCoordinator = await coordinatorOf(survivors[0]!, 'fo-eager');
    t.not(newCoordinator, victim.id, `a survivor coordinates the groups (node ${newCoordinator})`);
    await stableWithSameMembers(survivorAdmin, before, 'Stable after the kill -9 of the coordinator');

    // all three nodes (the victim still down) are killed and started again
    await restartAll(cluster);
    const restartedAdmin = await adminOn();
    await roundOfRecords('after-restart', restartedAdmin);
    await stableWithSameMembers(restartedAdmin, before, 'Stable after a restart of all three nodes');

    t.same(watch.regressions, [], 'no committed offset ever went back');
    for (const g of groups) {
      const counts = consumptionCounts(g.members);
      t.ok(
        g.produced.every((v) => counts.has(v)),
        `${g.group}: all ${g.produced.length} records consumed`,
      );
      const twice = duplicates(counts);
      t.ok(
        twice <= 2 * PARTITIONS,
        `${g.group}: ${twice} records consumed twice (at most one per partition per failure)`,
      );
      // A commit can fail while the coordinator moves (the next one covers it): reported, not failed.
      const errors = g.members.flatMap((m) => m.errors);
      t.comment(
        `${g.group}: ${errors.length} commit errors during the failures${errors[0] ? `, first: ${errors[0]}` : ''}`,
      );
    }
  },
);
