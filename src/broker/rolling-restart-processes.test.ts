/**
 * A clean rolling restart of three real processes (combined broker+controller nodes) under an
 * acks=-1 stream: each node in turn gets SIGTERM, which runs a controlled shutdown (BrokerHeartbeat
 * wantShutDown: the active controller moves its leaderships and ISR places away before it exits),
 * restarts, and the ISR is three again before the next node goes. Idempotent kafkajs producers, one
 * per partition, write all the time; every acknowledged record is read back once, in order, and the
 * longest gap between two acknowledgements of a partition (its unavailability) is measured and
 * must stay well under the session timeout (no wait for fencing).
 */
import t from 'tap';
import type { Producer } from 'kafkajs';
import { RESTART_DEADLINE_MS, readBack, startReplicatedTopic } from '../../test/helpers/replicated-topic.js';

const TOPIC = 'rolling';
const PARTITIONS = 3;
// Long, so that the wall-clock bounds below tell a controlled shutdown (seconds at worst on a loaded
// machine: 6.7 s seen under load 30) from one that waits for fencing (at least the session timeout).
const SESSION_TIMEOUT_MS = 15_000;

// Real processes on a possibly loaded 2-core machine: a file bound well above tap's 240 s (a node can take
// tens of seconds to start), so that a slow run finishes instead of being cut short.
t.setTimeout(900_000);

t.test('a clean rolling restart of all three nodes loses nothing acknowledged', async (t) => {
  const {
    cluster,
    brokers: all,
    kafka,
    fullIsr,
  } = await startReplicatedTopic(t, {
    settings: { 'broker.session.timeout.ms': String(SESSION_TIMEOUT_MS) },
    clientId: 'rolling-restart',
    topic: TOPIC,
    partitions: PARTITIONS,
    client: { retry: { retries: 50, initialRetryTime: 50, maxRetryTime: 500 } },
  });
  await cluster.waitFor('the ISR of three everywhere', 30000, () => fullIsr(all[0]!));

  const producers: Producer[] = [];
  const acked: string[][] = [];
  const gaps: number[] = Array.from({ length: PARTITIONS }, () => 0);
  let running = true;
  const loops: Array<Promise<void>> = [];
  for (let p = 0; p < PARTITIONS; p++) {
    const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    producers.push(producer);
    const mine: string[] = [];
    acked.push(mine);
    loops.push(
      (async () => {
        let last = Date.now();
        for (let i = 0; running && i < 100000; i++) {
          const value = `p${p}-${i}`;
          await producer.send({ topic: TOPIC, acks: -1, messages: [{ value, partition: p }] });
          const now = Date.now();
          gaps[p] = Math.max(gaps[p] ?? 0, now - last);
          last = now;
          mine.push(value);
        }
      })(),
    );
  }
  t.teardown(async () => {
    for (const producer of producers) await producer.disconnect();
  });

  /** Waits until every partition has had `more` acknowledgements since now: traffic flows before each step. */
  const flowing = async (what: string, more = 20): Promise<void> => {
    const base = acked.map((a) => a.length);
    await cluster.waitFor(`${what}: ${more} more acknowledgements on every partition`, RESTART_DEADLINE_MS, async () =>
      acked.every((a, p) => a.length >= (base[p] ?? 0) + more),
    );
  };
  await flowing('before the first restart');
  const shutdownMs: number[] = [];
  for (const node of all) {
    const started = Date.now();
    const code = await cluster.terminate(node);
    shutdownMs.push(Date.now() - started);
    t.equal(code, 0, `node ${node.id}: SIGTERM exits 0 after ${shutdownMs.at(-1)} ms`);
    const others = all.filter((n) => n !== node);
    const view = await cluster.metadata(others[0]!, [TOPIC]);
    const led = view?.topics[0]?.partitions.filter((p) => p.leaderId === node.id).length ?? -1;
    t.equal(led, 0, `node ${node.id} leads nothing once it has stopped`);
    cluster.spawn(node);
    await cluster.waitFor(`node ${node.id} back in every ISR`, RESTART_DEADLINE_MS, () => fullIsr(others[0]!));
    await flowing(`after node ${node.id} restarted`);
  }
  running = false;
  await Promise.all(loops);
  const total = acked.reduce((n, a) => n + a.length, 0);
  t.ok(total > 0, `${total} records acknowledged across the rolling restart`);
  t.ok(
    shutdownMs.every((ms) => ms < SESSION_TIMEOUT_MS),
    `each controlled shutdown took ${shutdownMs.join(', ')} ms (bound ${SESSION_TIMEOUT_MS} ms)`,
  );
  const worst = Math.max(...gaps);
  t.ok(
    worst < SESSION_TIMEOUT_MS,
    `longest gap between two acknowledgements per partition: ${gaps.join(', ')} ms (unavailability)`,
  );

  const read = await readBack(t, cluster, kafka, TOPIC, acked, 'rolling-check', 30_000);
  for (let p = 0; p < PARTITIONS; p++)
    t.same(read[p], acked[p], `partition ${p}: every acknowledged record once, in order (${acked[p]?.length})`);
});
