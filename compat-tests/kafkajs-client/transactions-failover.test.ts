/**
 * Issue #15, transactions across broker failures, driven by kafkajs: three real Gregor processes
 * with the transaction coordinator, the input partition's leader and the output partition's leader
 * on three different brokers (txn-failover-cluster.ts). A read-process-write pipeline
 * (kafkajs-txn-pipeline.ts: `sendOffsets`, some aborts on purpose) runs while each of those brokers
 * is killed with SIGKILL in turn, in the middle of a transaction (after the records and offsets
 * are sent, before EndTxn), and restarted; the coordinator is killed a second time right after an
 * EndTxn answered, while its markers may still be on their way (the new coordinator finishes the
 * PrepareCommit it loads). Then: the output read with read_committed equals the input exactly once,
 * in order; the group's committed offset is the input's end; ListTransactions shows nothing open on
 * any broker; the last stable offset equals the high watermark on every partition.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { KafkajsPipeline } from './kafkajs-txn-pipeline.js';
import {
  bounce,
  checkSettled,
  readCommittedToSentinel,
  startTxnCluster,
  waitUntil,
  type Role,
} from './txn-failover-cluster.js';

const TXN_ID = 'failover-pipeline';
const GROUP = 'failover-pipeline-group';
const WAVE = 15;

// Real processes on a possibly loaded 2-core machine: a file bound well above tap's 240 s (a node can take
// tens of seconds to start), so that a slow run finishes instead of being cut short.
t.setTimeout(600_000);

t.test('kafkajs pipeline: kill -9 of the coordinator, input leader and output leader in turn', async (t) => {
  t.setTimeout(400_000);
  const tc = await startTxnCluster(t, TXN_ID);
  t.comment(`roles: ${JSON.stringify(tc.roles)}`);
  const kafka = new Kafka({ brokers: tc.bootstrap(), logLevel: logLevel.NOTHING, retry: { retries: 12 } });
  const plain = kafka.producer();
  await plain.connect();
  t.teardown(() => plain.disconnect());
  const input: string[] = [];
  const produceWave = async (): Promise<number> => {
    const values = Array.from({ length: WAVE }, (_, i) => `m${input.length + i}`);
    await plain.send({ topic: 'in', acks: -1, messages: values.map((value) => ({ value })) });
    input.push(...values);
    return input.length;
  };

  const pipeline = new KafkajsPipeline(tc.bootstrap(), TXN_ID, GROUP, 10_000);
  const running = pipeline.run();
  t.teardown(async () => {
    pipeline.stop();
    await running;
  });
  const firstWave = await produceWave();
  await waitUntil('the first wave processed', 30_000, () => Promise.resolve(pipeline.position >= firstWave));

  const phases: Array<{ role: Role; when: 'beforeCommit' | 'afterCommit' }> = [
    { role: 'coordinator', when: 'beforeCommit' },
    { role: 'input', when: 'beforeCommit' },
    { role: 'output', when: 'beforeCommit' },
    { role: 'coordinator', when: 'afterCommit' },
  ];
  for (const { role, when } of phases) {
    const victim = tc.node(tc.roles[role]);
    let killedAt = -1;
    const killed = new Promise<void>((resolve) => {
      pipeline.hooks[when] = () => {
        killedAt = pipeline.commits;
        tc.cluster.kill(victim);
        resolve();
        return Promise.resolve();
      };
    });
    const end = await produceWave();
    await waitUntil(`the ${role} killed ${when}`, 20_000, () => killed.then(() => true));
    const started = Date.now();
    await bounce(tc, victim, () =>
      waitUntil(`a commit with the ${role} (broker ${victim.id}) down`, 30_000, () =>
        Promise.resolve(pipeline.commits > killedAt + 1),
      ).then(() => undefined),
    );
    await waitUntil(`wave up to ${end} processed`, 30_000, () => Promise.resolve(pipeline.position >= end));
    t.comment(`${role} (broker ${victim.id}) killed ${when} and back; ${Date.now() - started} ms`);
  }
  pipeline.stop();
  await running;
  t.ok(
    pipeline.commits >= input.length / 5,
    `${pipeline.commits} commits, ${pipeline.aborts} aborts, ${pipeline.incarnations} incarnations`,
  );
  t.comment(`pipeline errors: ${pipeline.errors.join(' | ') || 'none'}`);

  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchOffsets({ groupId: GROUP, topics: ['in'] });
  await admin.disconnect();
  t.equal(offsets[0]?.partitions[0]?.offset, String(input.length), "the group's committed offset is the input's end");

  const got = await readCommittedToSentinel(kafka, 'out', 'failover-verify');
  t.same(got, input, 'read_committed output equals the input exactly once, in order');
  await checkSettled(t, tc);
});
