/**
 * A hard rolling restart (Kafka's replication test matrix, "hard bounce"): two rounds in `npm test`,
 * `GREGOR_FAULT_ROUNDS=5` for the full matrix (HARD_BOUNCE_ROUNDS is an older name for it). Three real
 * processes (combined broker+controller nodes), each killed with SIGKILL in turn and restarted,
 * waiting for it to be back in every ISR before the next, while three real clients other than
 * kafkajs write with acks=all, one partition each (RF 3, min.insync.replicas=2):
 * - kcat -P -X acks=all (librdkafka without idempotence, retries on): every acknowledged record read
 *   back, in order; duplicates (a retry of a write whose answer was lost) are counted, not failed;
 * - python3-confluent-kafka with enable.idempotence=true: every acknowledged record exactly once,
 *   in order;
 * - kafka-python with acks='all' and retries=0: every acknowledged record exactly once, in order.
 * Failed sends (outcome unknown) may be in the log at most once. Per kill: the time until every
 * partition has a live leader and until the node is back in every ISR.
 */
import t from 'tap';
import { startReplicatedTopic } from '../../test/helpers/replicated-topic.js';
import { checkAtLeastOnce, checkExactlyOnce, readTopic } from '../../test/helpers/ack-streams.js';
import { KcatStream, PythonStream } from '../../test/helpers/external-streams.js';
import { hasCommand, hasPythonModule, run } from '../../test/helpers/external.js';

const TOPIC = 'hard-bounce';
const PARTITIONS = 3;
const ROUNDS = Number(process.env.GREGOR_FAULT_ROUNDS ?? process.env.HARD_BOUNCE_ROUNDS ?? 2);

const missing = !hasCommand('kcat')
  ? 'kcat not installed'
  : !hasPythonModule('confluent_kafka')
    ? 'python3-confluent-kafka not installed'
    : !hasPythonModule('kafka')
      ? 'kafka-python not installed'
      : false;

// Up to fifteen process restarts (GREGOR_FAULT_ROUNDS=5): on a 2-core machine shared with other test runs (load average 30) a
// node process takes up to 40 s to start, so the file gets more than tap's default 120 s.
t.setTimeout(900_000);

t.test(
  `${ROUNDS} rounds of hard rolling restarts under kcat, confluent-kafka and kafka-python acks=all streams`,
  { skip: missing },
  async (t) => {
    t.setTimeout(900_000);
    const setUpStart = Date.now();
    const {
      cluster,
      brokers: all,
      kafka,
      partitions,
      fullIsr,
    } = await startReplicatedTopic(t, {
      settings: { 'replica.lag.time.max.ms': '2000', 'auto.leader.rebalance.enable': 'false' },
      logLevel: process.env.FAULT_LOG_LEVEL ?? 'warn',
      clientId: 'hard-bounce',
      topic: TOPIC,
      partitions: PARTITIONS,
    });
    const bootstrap = all.map((n) => `127.0.0.1:${n.port}`).join(',');
    await cluster.waitFor('the ISR of three', 30000, () => fullIsr(all[0]!));

    const kcat = new KcatStream(bootstrap, TOPIC, 0, 'kcat', 50);
    const confluent = new PythonStream('confluent', bootstrap, TOPIC, 1, 'confluent');
    const kafkaPython = new PythonStream('kafka-python', bootstrap, TOPIC, 2, 'kafka-python');
    const clients = [kcat, confluent, kafkaPython];
    t.teardown(() => Promise.all(clients.map((c) => c.stop(5000))));
    for (const c of clients) c.start();
    const ackedNow = () => clients.map((c) => c.outcome.acked.length);
    const progressed = async (before: number[], timeoutMs: number) =>
      cluster
        .waitFor('every client acknowledged', timeoutMs, async () => ackedNow().every((n, i) => n > before[i]!), 100)
        .then(
          () => true,
          () => false,
        );
    t.ok(await progressed([0, 0, 0], 30000), 'every client is acknowledged before the first kill');
    t.comment(`set up in ${Date.now() - setUpStart} ms`);

    const leaderless: number[] = [];
    const rejoined: number[] = [];
    const started = Date.now();
    for (let round = 1; round <= ROUNDS; round++) {
      for (const node of all) {
        const other = all.find((n) => n !== node)!;
        const before = ackedNow();
        cluster.kill(node);
        const killedAt = Date.now();
        await cluster.waitFor(`round ${round}: node ${node.id}'s partitions led by others`, 30000, async () => {
          const ps = await partitions(other);
          return ps !== null && ps.every((p) => p.leaderId >= 0 && p.leaderId !== node.id);
        });
        leaderless.push(Date.now() - killedAt);
        cluster.spawn(node);
        await cluster
          .waitFor(`round ${round}: node ${node.id} back in every ISR`, 90000, () => fullIsr(other))
          .catch(async (err: unknown) => {
            t.comment(
              `ISR view from ${other.id}: ${JSON.stringify((await partitions(other))?.map((p) => [p.leaderId, p.isrNodes]))}`,
            );
            throw err;
          });
        rejoined.push(Date.now() - killedAt);
        t.comment(
          `round ${round}, node ${node.id}: leaders moved ${leaderless.at(-1)} ms, back in every ISR ${rejoined.at(-1)} ms`,
        );
        t.ok(await progressed(before, 60000), `round ${round}, node ${node.id}: every client acknowledged across it`);
      }
    }
    const bounceMs = Date.now() - started;
    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
    t.pass(
      `${ROUNDS * all.length} hard bounces in ${bounceMs} ms; new leaders after ${sorted(leaderless).join(',')} ms; ` +
        `back in every ISR after ${sorted(rejoined).join(',')} ms`,
    );
    for (const c of clients) await c.stop();
    for (const c of clients)
      t.pass(
        `partition ${c.outcome.partition}: ${c.outcome.acked.length} acknowledged, ${c.outcome.failed.length} failed; ${c.outcome.notes.join(' | ')}`,
      );

    const read = await readTopic(kafka, TOPIC, PARTITIONS).catch(async (err: unknown) => {
      for (let p = 0; p < PARTITIONS; p++) {
        const kc = await run(
          'kcat',
          ['-C', '-b', bootstrap, '-t', TOPIC, '-p', String(p), '-o', 'beginning', '-e', '-c', '3', '-f', '%o %s\\n'],
          { timeoutMs: 20000 },
        );
        t.comment(`kcat -C partition ${p}: exit ${kc.code} ${kc.stdout.slice(0, 200)} ${kc.stderr.slice(0, 600)}`);
        t.comment(
          `metadata: ${JSON.stringify((await partitions(all[0]!))?.map((x) => [x.partitionIndex, x.leaderId, x.isrNodes]))}`,
        );
      }
      throw err;
    });
    const duplicates = checkAtLeastOnce(t, read, kcat.outcome);
    t.pass(`kcat (no idempotence): ${duplicates} records written twice by its retries`);
    checkExactlyOnce(t, read, [confluent.outcome, kafkaPython.outcome]);
    t.ok(
      confluent.outcome.notes.some((n) => n.startsWith('DONE')),
      'confluent-kafka flushed and finished',
    );
    t.notOk(
      confluent.outcome.notes.some((n) => /fatal/i.test(n)),
      'no fatal idempotence error',
    );
  },
);
