/**
 * Issue #15, transactions across broker failures, driven by python3-confluent-kafka (librdkafka):
 * three real Gregor processes with the transaction coordinator, the input partition's leader and the
 * output partition's leader on three different brokers (txn-failover-cluster.ts). The pipeline of
 * txn_failover_pipeline.py (init_transactions, send_offsets_to_transaction, abort and redo on
 * abortable errors, retried commits, a new producer on fatal ones) runs while each of those brokers
 * is killed with SIGKILL in turn just before a commit (the pipeline waits on stdin for the test) and
 * restarted. Then: the read_committed output equals the input exactly once, in order; the group's
 * offset is the input's end; nothing is left open; no last stable offset is held.
 * Skipped when python3 or confluent_kafka is absent.
 */
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import {
  bounce,
  checkSettled,
  readCommittedToSentinel,
  startTxnCluster,
  waitUntil,
  type Role,
} from '../kafkajs-client/txn-failover-cluster.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./txn_failover_pipeline.py', import.meta.url));
const TXN_ID = 'rdk-failover';
const GROUP = 'rdk-failover-group';
const WAVE = 15;
const ROLES: Role[] = ['coordinator', 'input', 'output'];
const TOTAL = WAVE * (ROLES.length + 1);

const available = spawnSync(PYTHON, ['-c', 'import confluent_kafka'], { stdio: 'ignore' }).status === 0;

// Real processes on a possibly loaded 2-core machine: a file bound well above tap's 240 s (a node can take
// tens of seconds to start), so that a slow run finishes instead of being cut short.
t.setTimeout(600_000);

t.test(
  'confluent-kafka pipeline: kill -9 of the coordinator, input leader and output leader in turn',
  { skip: available ? false : 'python3-confluent-kafka not installed' },
  async (t) => {
    t.setTimeout(400_000);
    const tc = await startTxnCluster(t, TXN_ID);
    t.comment(`roles: ${JSON.stringify(tc.roles)}`);
    const kafka = new Kafka({ brokers: tc.bootstrap(), logLevel: logLevel.NOTHING, retry: { retries: 12 } });
    const plain = kafka.producer();
    await plain.connect();
    t.teardown(() => plain.disconnect());
    const input: string[] = [];
    const produceWave = async (): Promise<number> => {
      const values = Array.from({ length: WAVE }, (_, i) => `r${input.length + i}`);
      await plain.send({ topic: 'in', acks: -1, messages: values.map((value) => ({ value })) });
      input.push(...values);
      return input.length;
    };

    const python = spawn(PYTHON, [SCRIPT, tc.bootstrap().join(','), TXN_ID, GROUP, String(TOTAL)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => python.once('exit', resolve));
    t.teardown(() => {
      python.kill('SIGKILL');
    });
    let position = 0;
    let commits = 0;
    let done: Record<string, unknown> | null = null;
    let beforeCommit: (() => void) | null = null;
    createInterface({ input: python.stdout }).on('line', (line) => {
      if (line.startsWith('precommit')) {
        const hook = beforeCommit;
        beforeCommit = null;
        hook?.();
        python.stdin.write('go\n');
      } else if (line.startsWith('committed ')) {
        position = Number(line.slice('committed '.length));
        commits++;
      } else if (line.startsWith('done ')) {
        done = JSON.parse(line.slice('done '.length)) as Record<string, unknown>;
      }
    });

    const first = await produceWave();
    await waitUntil('the first wave processed', 60_000, () => Promise.resolve(position >= first));
    for (const role of ROLES) {
      const victim = tc.node(tc.roles[role]);
      let killedAt = -1;
      const killed = new Promise<void>((resolve) => {
        beforeCommit = () => {
          killedAt = commits;
          tc.cluster.kill(victim);
          resolve();
        };
      });
      const end = await produceWave();
      await waitUntil(`the ${role} killed`, 30_000, () => killed.then(() => true));
      const started = Date.now();
      await bounce(tc, victim, () =>
        waitUntil(`a commit with the ${role} (broker ${victim.id}) down`, 45_000, () =>
          Promise.resolve(commits > killedAt + 1),
        ).then(() => undefined),
      );
      await waitUntil(`wave up to ${end} processed`, 45_000, () => Promise.resolve(position >= end));
      t.comment(`${role} (broker ${victim.id}) killed before a commit and back; ${Date.now() - started} ms`);
    }
    await waitUntil('the pipeline to finish', 30_000, () => Promise.resolve(done !== null));
    t.equal(await exited, 0, 'the pipeline exited cleanly');
    t.ok(done, `pipeline: ${JSON.stringify(done)}`);

    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId: GROUP, topics: ['in'] });
    await admin.disconnect();
    t.equal(offsets[0]?.partitions[0]?.offset, String(TOTAL), "the group's committed offset is the input's end");

    const got = await readCommittedToSentinel(kafka, 'out', 'rdk-failover-verify');
    t.same(got, input, 'read_committed output equals the input exactly once, in order');
    await checkSettled(t, tc);
  },
);
