/**
 * All three nodes of a cluster stopped at once, as `docker compose down` stops them (SIGTERM to every
 * process together): each runs its controlled shutdown against an active controller that is itself
 * stopping, and every process must exit 0 well before the session timeout (before the fix, the
 * controller closed its connections with the last shouldShutDown answer unsent, and that node waited
 * broker.session.timeout.ms). Then all three start again and every record acknowledged with acks=-1
 * before the stop is read back once, in order.
 */
import t from 'tap';
import { RESTART_DEADLINE_MS, readBack, startReplicatedTopic } from '../../test/helpers/replicated-topic.js';

const TOPIC = 'stop-all';
const PARTITIONS = 3;
// Long, so that a node that waits for the session timeout cannot pass for one that was answered.
const SESSION_TIMEOUT_MS = 20_000;

t.setTimeout(600_000);

t.test(
  'SIGTERM to all three nodes at once: each exits before the session timeout, nothing acked is lost',
  async (t) => {
    const {
      cluster,
      brokers: all,
      kafka,
      fullIsr,
    } = await startReplicatedTopic(t, {
      settings: { 'broker.session.timeout.ms': String(SESSION_TIMEOUT_MS) },
      clientId: 'stop-all',
      topic: TOPIC,
      partitions: PARTITIONS,
      client: { retry: { retries: 50, initialRetryTime: 50, maxRetryTime: 500 } },
    });
    await cluster.waitFor('the ISR of three everywhere', 30000, () => fullIsr(all[0]!));

    const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true });
    await producer.connect();
    const acked: string[][] = Array.from({ length: PARTITIONS }, () => []);
    for (let i = 0; i < 60; i++) {
      const partition = i % PARTITIONS;
      const value = `r${i}`;
      await producer.send({ topic: TOPIC, acks: -1, messages: [{ value, partition }] });
      acked[partition]!.push(value);
    }
    await producer.disconnect();

    const started = Date.now();
    const exits = await Promise.all(
      all.map(async (node) => ({ id: node.id, code: await cluster.terminate(node), ms: Date.now() - started })),
    );
    for (const exit of exits) {
      t.equal(exit.code, 0, `node ${exit.id} exits 0 after ${exit.ms} ms`);
      t.ok(exit.ms < SESSION_TIMEOUT_MS, `node ${exit.id} did not wait for the session timeout (${exit.ms} ms)`);
    }

    for (const node of all) cluster.spawn(node);
    await cluster.waitFor('all three back, the ISR of three', RESTART_DEADLINE_MS, () => fullIsr(all[0]!));
    const read = await readBack(t, cluster, kafka, TOPIC, acked, 'stop-all-check', 60_000);
    for (let p = 0; p < PARTITIONS; p++)
      t.same(read[p], acked[p], `partition ${p}: every acknowledged record once, in order (${acked[p]?.length})`);
  },
);
