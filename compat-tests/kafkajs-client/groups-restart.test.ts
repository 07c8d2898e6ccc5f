/**
 * Committed offsets survive a broker restart on the same data dir: a kafkajs consumer
 * group commits, the broker stops, a new broker starts on the same `log.dirs`, and a
 * new consumer in the same group starts exactly at the committed offsets (nothing
 * consumed again, nothing skipped). Once with the consumer leaving before the stop
 * (the group is Empty in the log), once with the broker stopping under a running
 * consumer (the group comes back Stable with a member that never returns, so the
 * session timeout has to clear it before the new consumer's join completes).
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Consumer, type GroupDescription } from 'kafkajs';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { createTopic } from '../../test/helpers/topics.js';

const GROUP_TIMINGS = { sessionTimeout: 2500, heartbeatInterval: 250, rebalanceTimeout: 8000, maxWaitTimeInMs: 200 };
const CONFIG = { 'group.min.session.timeout.ms': 1000 };
const TOPIC = 'resume';
const GROUP = 'g-resume';

async function waitFor(condition: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const kafkaFor = (running: RunningBroker) =>
  new Kafka({
    clientId: 'restart-test',
    brokers: [running.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 8, initialRetryTime: 50 },
  });

async function produce(running: RunningBroker, values: string[]): Promise<void> {
  const producer = kafkaFor(running).producer();
  await producer.connect();
  await producer.send({ topic: TOPIC, messages: values.map((value, i) => ({ value, partition: i % 3 })) });
  await producer.disconnect();
}

async function startConsumer(running: RunningBroker, seen: string[]): Promise<Consumer> {
  const consumer = kafkaFor(running).consumer({ groupId: GROUP, ...GROUP_TIMINGS });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  await consumer.run({
    autoCommitThreshold: 1,
    eachMessage: async ({ message }) => void seen.push(message.value!.toString()),
  });
  return consumer;
}

async function committed(running: RunningBroker): Promise<number[]> {
  const admin = kafkaFor(running).admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
    return offsets!.partitions.sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset));
  } finally {
    await admin.disconnect();
  }
}

async function describe(running: RunningBroker): Promise<GroupDescription> {
  const admin = kafkaFor(running).admin();
  await admin.connect();
  try {
    return (await admin.describeGroups([GROUP])).groups[0]!;
  } finally {
    await admin.disconnect();
  }
}

for (const leaveBeforeStop of [true, false]) {
  const how = leaveBeforeStop
    ? 'the consumer leaves, then the broker stops'
    : 'the broker stops under a running consumer';
  t.test(`a group resumes at its committed offsets after a restart: ${how}`, async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gregor-groups-restart-'));
    t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));

    const first = await startBroker({ dataDir, config: CONFIG });
    let firstStopped = false;
    t.teardown(async () => {
      if (!firstStopped) await first.stop();
    });
    createTopic(first, TOPIC, { partitions: 3 });
    const before = Array.from({ length: 30 }, (_, i) => `a${i}`);
    await produce(first, before);
    const seenBefore: string[] = [];
    const consumer = await startConsumer(first, seenBefore);
    await waitFor(() => seenBefore.length >= 30, 20_000, 'the first 30 consumed');
    await waitFor(async () => (await committed(first)).reduce((a, b) => a + b, 0) === 30, 10_000, 'offsets committed');
    if (leaveBeforeStop) await consumer.disconnect();
    // Produced after the last commit: the group must pick these up after the restart.
    const pending = Array.from({ length: 15 }, (_, i) => `b${i}`);
    if (leaveBeforeStop) await produce(first, pending);
    const committedBefore = await committed(first);
    await first.stop();
    firstStopped = true;
    if (!leaveBeforeStop) await consumer.disconnect().catch(() => undefined);

    const second = await startBroker({ dataDir, config: CONFIG });
    t.teardown(() => second.stop());
    t.same(await committed(second), committedBefore, 'the committed offsets came back from the log');
    const loaded = await describe(second);
    t.same(
      { state: loaded.state, members: loaded.members.length, protocolType: loaded.protocolType },
      leaveBeforeStop
        ? { state: 'Empty', members: 0, protocolType: 'consumer' }
        : { state: 'Stable', members: 1, protocolType: 'consumer' },
      'the group metadata came back from the log',
    );
    if (!leaveBeforeStop) await produce(second, pending);
    const seenAfter: string[] = [];
    const resumed = await startConsumer(second, seenAfter);
    t.teardown(() => resumed.disconnect());
    const after = Array.from({ length: 15 }, (_, i) => `c${i}`);
    await produce(second, after);
    await waitFor(() => seenAfter.length >= 30, 20_000, 'the 30 new messages consumed after the restart');
    await waitFor(async () => (await committed(second)).reduce((a, b) => a + b, 0) === 60, 10_000, 'all 60 committed');
    t.same(
      [...seenAfter].sort(),
      [...pending, ...after].sort(),
      'exactly the messages after the committed offsets: none again, none skipped',
    );
    t.same(seenBefore.sort(), [...before].sort(), 'the first consumer saw the first 30 once');

    const now = await describe(second);
    t.equal(now.state, 'Stable');
    t.equal(now.members.length, 1, 'only the new consumer is a member');
    if (!leaveBeforeStop)
      t.not(now.members[0]!.memberId, loaded.members[0]!.memberId, 'the member from before the restart was expired');
  });
}
