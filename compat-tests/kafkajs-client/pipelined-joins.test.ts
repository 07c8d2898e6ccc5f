/**
 * A member's JoinGroup requests pipelined on one connection, sent through kafkajs's own Broker
 * class (the one its consumer uses). kafkajs sends such pairs: each fetch loop that sees a topic
 * gain partitions calls joinAndSync (its suite's rebalanceOnPartitionChange test, which waited out
 * session timeouts and failed at 90 s). Kafka reads a connection's next request only once the
 * previous one is answered, so the second join reaches the group after the first was answered and
 * both succeed. Gregor ran them at once: the second superseded the first, still held for the
 * rebalance, which was answered UNKNOWN_MEMBER_ID.
 */
import t from 'tap';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { logLevel } from 'kafkajs';
import { brokerFor } from '../../test/helpers/broker.js';
import { createTopic } from '../../test/helpers/topics.js';

const require = createRequire(import.meta.url);

interface JoinAnswer {
  generationId: number;
  memberId: string;
  leaderId: string;
}
interface KafkajsBroker {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  joinGroup(request: {
    groupId: string;
    sessionTimeout: number;
    rebalanceTimeout: number;
    memberId?: string;
    groupProtocols: Array<{ name: string; metadata: Buffer }>;
  }): Promise<JoinAnswer>;
  syncGroup(request: {
    groupId: string;
    generationId: number;
    memberId: string;
    groupAssignment: Array<{ memberId: string; memberAssignment: Buffer }>;
  }): Promise<unknown>;
  describeGroups(request: { groupIds: string[] }): Promise<{ groups: Array<{ groupId: string; state: string }> }>;
}

const Broker = require('kafkajs/src/broker') as new (options: {
  connectionPool: unknown;
  logger: unknown;
}) => KafkajsBroker;
const ConnectionPool = require('kafkajs/src/network/connectionPool') as new (
  options: Record<string, unknown>,
) => unknown;
const defaultSocketFactory = require('kafkajs/src/network/socketFactory') as () => (options: object) => Socket;
const { createLogger } = require('kafkajs/src/loggers') as {
  createLogger(options: { level: number; logCreator: () => () => void }): unknown;
};
const { AssignerProtocol } = require('kafkajs') as {
  AssignerProtocol: { MemberMetadata: { encode(m: { version: number; topics: string[] }): Buffer } };
};

const GROUP = 'pipelined-joins';
const TOPIC = 'pipelined-joins-topic';
const TIMINGS = { sessionTimeout: 10_000, rebalanceTimeout: 10_000 };

/**
 * kafkajs's sockets with Nagle's algorithm off, so a second request written right after the first
 * leaves at once instead of waiting for the broker to acknowledge the first one's bytes.
 */
function noDelaySockets(): (options: object) => Socket {
  const create = defaultSocketFactory();
  return (options) => create(options).setNoDelay(true);
}

function kafkajsBroker(host: string, port: number, clientId: string): KafkajsBroker {
  const logger = createLogger({ level: logLevel.NOTHING, logCreator: () => () => undefined });
  const connectionPool = new ConnectionPool({
    host,
    port,
    logger,
    clientId,
    socketFactory: noDelaySockets(),
    requestTimeout: 30_000,
    connectionTimeout: 5_000,
  });
  return new Broker({ connectionPool, logger });
}

t.test("a member's second JoinGroup pipelined behind its first waits for it, as on Kafka", async (t) => {
  const running = await brokerFor(t, { config: { 'group.initial.rebalance.delay.ms': 1000 } });
  createTopic(running, TOPIC, { partitions: 2 });
  const [host, portText] = running.bootstrap.split(':') as [string, string];
  const a = kafkajsBroker(host, Number(portText), 'member-a');
  const b = kafkajsBroker(host, Number(portText), 'member-b');
  await a.connect();
  await b.connect();
  t.teardown(async () => {
    await a.disconnect();
    await b.disconnect();
  });
  const groupProtocols = [
    { name: 'RoundRobinAssigner', metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics: [TOPIC] }) },
  ];
  const join = (broker: KafkajsBroker, memberId = ''): Promise<JoinAnswer> =>
    broker.joinGroup({ groupId: GROUP, ...TIMINGS, memberId, groupProtocols });
  const sync = (broker: KafkajsBroker, answer: JoinAnswer): Promise<unknown> =>
    broker.syncGroup({
      groupId: GROUP,
      generationId: answer.generationId,
      memberId: answer.memberId,
      groupAssignment: [],
    });
  const state = async (): Promise<string> =>
    (await b.describeGroups({ groupIds: [GROUP] })).groups.find((g) => g.groupId === GROUP)?.state ?? '';

  // Two members in one generation (the initial rebalance delay gathers them), then Stable.
  const [joinedA, joinedB] = await Promise.all([join(a), join(b)]);
  t.equal(joinedA.generationId, joinedB.generationId, 'both members in one generation');
  await Promise.all([sync(a, joinedA), sync(b, joinedB)]);
  t.equal(await state(), 'Stable');

  // A sends two joins at once on its one connection; B has not rejoined, so the first is held.
  const settled = Promise.allSettled([join(a, joinedA.memberId), join(a, joinedA.memberId)] as const);
  await waitFor(async () => (await state()) === 'PreparingRebalance');
  const rejoinedB = await join(b, joinedB.memberId);
  const [one, two] = await settled;
  t.equal(
    one.status,
    'fulfilled',
    `the first join is answered: ${one.status === 'rejected' ? String(one.reason) : ''}`,
  );
  t.equal(
    two.status,
    'fulfilled',
    `the second join is answered: ${two.status === 'rejected' ? String(two.reason) : ''}`,
  );
  if (one.status !== 'fulfilled' || two.status !== 'fulfilled') return;
  t.equal(one.value.memberId, joinedA.memberId, 'A keeps its member id');
  t.equal(two.value.memberId, joinedA.memberId, 'A keeps its member id in the second answer');
  t.equal(one.value.generationId, joinedA.generationId + 1, 'one rebalance');
  t.equal(two.value.generationId, one.value.generationId, 'the second join answered in the same generation');
  t.equal(rejoinedB.generationId, one.value.generationId, 'B in that generation');
});

/** Polls a condition every 20 ms until it holds or 20 s pass. */
async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the group state');
    await new Promise((r) => setTimeout(r, 20));
  }
}
