/**
 * Controlled shutdown on the active controller (BrokerHeartbeats, BrokerHeartbeat wantShutDown):
 * the first such heartbeat moves the broker's leaderships to in-sync replicas and takes it out of
 * the ISRs (BrokerRegistrationChangeRecord inControlledShutdown + PartitionChangeRecords); the
 * broker is then never elected nor added back to an ISR; shouldShutDown (and a fence) come only
 * once it leads nothing and reports a metadata offset at or past that commit; a new registration
 * clears the state. A lone replica's partition goes leaderless, as Kafka's does. A closed heartbeat
 * connection fences the broker at once (the fast failover hint). A new incarnation registers fenced
 * and is unfenced only once caught up with its registration. `shutdownsPending` (what a stopping
 * active controller waits on) holds from the first wantShutDown until the broker is answered and fenced.
 */
import t from 'tap';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defaultRegisterBrokerRecord } from '../../protocol/generated/records/metadata/RegisterBrokerRecord.js';
import { ManualClock } from '../common/clock.js';
import { createLogger } from '../common/logger.js';
import { MetadataController } from '../metadata/controller.js';
import { MemoryMetadataLog } from '../metadata/metadata-log.js';
import { alterPartition } from '../metadata/partition-leadership.js';
import { BrokerHeartbeats } from './broker-heartbeats.js';

function setUp() {
  const c = new MetadataController(new MemoryMetadataLog());
  for (const brokerId of [1, 2, 3])
    c.commit([{ type: 'RegisterBrokerRecord', data: { ...defaultRegisterBrokerRecord(), brokerId, fenced: false } }]);
  const created = c.createTopic({
    name: 't',
    numPartitions: -1,
    replicationFactor: -1,
    assignments: new Map([
      [0, [1, 2, 3]],
      [1, [2, 1, 3]],
    ]),
  });
  if (!created.ok) throw new Error(created.error.errorMessage);
  c.commit(created.records);
  const lone = c.createTopic({
    name: 'lone',
    numPartitions: -1,
    replicationFactor: -1,
    assignments: new Map([[0, [1]]]),
  });
  if (!lone.ok) throw new Error(lone.error.errorMessage);
  c.commit(lone.records);
  const p = (i: number) =>
    i === 2 ? c.image.topicsByName.get('lone')!.partitions.get(0)! : c.image.topicsByName.get('t')!.partitions.get(i)!;
  for (const i of [0, 1]) {
    const s = p(i);
    const out = alterPartition(c.image, {
      brokerId: s.leader,
      topic: c.image.topicsByName.get('t'),
      partitionIndex: i,
      leaderEpoch: s.leaderEpoch,
      partitionEpoch: s.partitionEpoch,
      newIsr: [1, 2, 3],
    });
    if (!out.record) throw new Error(`refused ${out.errorCode}`);
    c.commit([out.record]);
  }
  const heartbeats = new BrokerHeartbeats(c, 'cluster', new ManualClock(1000), 9000, createLogger({ level: 'silent' }));
  return { c, p, heartbeats };
}

t.test('wantShutDown moves leadership and ISR places away, then allows the stop', async (t) => {
  const { c, p, heartbeats } = setUp();
  const shut = (offset: number) => heartbeats.heartbeat(1, 0n, { wantShutDown: true, currentMetadataOffset: offset });

  const first = await shut(0);
  t.same(
    [first.errorCode, first.shouldShutDown],
    [ErrorCode.NONE, false],
    'not yet: the broker has not seen the moves',
  );
  t.ok(c.image.brokers.get(1)?.inControlledShutdown, 'the image says broker 1 is in controlled shutdown');
  t.same([p(0).leader, p(0).leaderEpoch, p(0).isr], [2, 1, [2, 3]], 'partition 0: broker 2 leads, epoch up');
  t.same([p(1).leader, p(1).isr], [2, [2, 3]], 'partition 1: broker 1 left the ISR, same leader');
  t.same([p(2).leader, p(2).isr], [-1, [1]], 'lone-0 (broker 1 alone): no leader, the ISR keeps it');

  const refused = alterPartition(c.image, {
    brokerId: 2,
    topic: c.image.topicsByName.get('t'),
    partitionIndex: 0,
    leaderEpoch: p(0).leaderEpoch,
    partitionEpoch: p(0).partitionEpoch,
    newIsr: [2, 3, 1],
  });
  t.equal(refused.errorCode, ErrorCode.INELIGIBLE_REPLICA, 'a broker in controlled shutdown may not rejoin an ISR');
  const plain = await heartbeats.heartbeat(1, 0n);
  t.equal(plain.shouldShutDown, false, 'a heartbeat without wantShutDown does not undo it');
  t.equal(p(2).leader, -1, 'nor does it give the broker its leaderless partition back');

  const committed = c.image.lastAppliedOffset;
  t.equal((await shut(committed - 1)).shouldShutDown, false, 'still behind the commit: wait');
  const done = await shut(committed);
  t.same([done.shouldShutDown, done.isFenced], [true, true], 'caught up and leading nothing: stop');
  t.ok(c.image.brokers.get(1)?.fenced, 'and fenced');

  c.commit([{ type: 'RegisterBrokerRecord', data: { ...defaultRegisterBrokerRecord(), brokerId: 1, fenced: false } }]);
  t.notOk(c.image.brokers.get(1)?.inControlledShutdown, 'a new registration clears it');
  await heartbeats.heartbeat(1, 0n);
  t.same([p(2).leader, p(2).isr], [1, [1]], 'the returning broker leads its lone partition again');
});

t.test('a controlled shutdown is pending here from the first wantShutDown until the broker is fenced', async (t) => {
  const { c, heartbeats } = setUp();
  t.notOk(heartbeats.shutdownsPending(3), 'none before');
  const answering = heartbeats.heartbeat(1, 0n, { wantShutDown: true, currentMetadataOffset: 0 });
  t.ok(heartbeats.shutdownsPending(3), 'while its heartbeat is being answered');
  t.equal((await answering).shouldShutDown, false, 'not approved yet');
  t.ok(heartbeats.shutdownsPending(3), 'in controlled shutdown, not fenced yet: still pending');
  t.notOk(heartbeats.shutdownsPending(1), "not pending for the broker's own node");
  const done = await heartbeats.heartbeat(1, 0n, {
    wantShutDown: true,
    currentMetadataOffset: c.image.lastAppliedOffset,
  });
  t.ok(done.shouldShutDown, 'approved');
  t.notOk(heartbeats.shutdownsPending(3), 'answered and fenced: nothing pending');
});

t.test('a fenced broker that wants to shut down may do so at once', async (t) => {
  const { c, heartbeats } = setUp();
  c.commit([{ type: 'FenceBrokerRecord', data: { id: 3, epoch: -1n } }]);
  const r = await heartbeats.heartbeat(3, 0n, { wantShutDown: true, currentMetadataOffset: -1 });
  t.same([r.errorCode, r.shouldShutDown], [ErrorCode.NONE, true]);
  const unknown = await heartbeats.heartbeat(9, 0n, { wantShutDown: true, currentMetadataOffset: -1 });
  t.equal(unknown.errorCode, ErrorCode.STALE_BROKER_EPOCH, "no registration: Kafka's STALE_BROKER_EPOCH");
  const stale = await heartbeats.heartbeat(3, -1n, { wantShutDown: true, currentMetadataOffset: -1 });
  t.equal(stale.errorCode, ErrorCode.STALE_BROKER_EPOCH, 'epoch -1 is not its registration: STALE_BROKER_EPOCH');
});

t.test('a new incarnation registers fenced, keeping its places; a caught-up heartbeat unfences it', async (t) => {
  const { c, p, heartbeats } = setUp();
  t.equal(p(0).leader, 1, 'broker 1 leads t-0 before');
  const registered = await heartbeats.register({
    brokerId: 1,
    clusterId: 'cluster',
    incarnationId: 'a-new-incarnation-id-A',
    endPoints: [],
    rack: null,
    connectionId: 51,
  });
  t.equal(registered.errorCode, ErrorCode.NONE);
  t.ok(c.image.brokers.get(1)?.fenced, 'registered fenced');
  t.equal(p(0).leader, 1, 'its leadership stays (Kafka without ELR)');
  heartbeats.connectionClosed(51);
  await new Promise((r) => setImmediate(r));
  t.ok(c.image.brokers.get(1)?.fenced, 'killed before its first heartbeat: still fenced');
  const registeredAt = c.image.lastAppliedOffset;
  const behind = await heartbeats.heartbeat(1, registered.brokerEpoch, {
    wantShutDown: false,
    currentMetadataOffset: registeredAt - 1,
  });
  t.same([behind.isCaughtUp, behind.isFenced], [false, true], 'behind its registration: not caught up, stays fenced');
  const wants = await heartbeats.heartbeat(1, registered.brokerEpoch, {
    wantShutDown: false,
    wantFence: true,
    currentMetadataOffset: registeredAt,
  });
  t.same([wants.isCaughtUp, wants.isFenced], [true, true], 'caught up but asking to stay fenced: stays fenced');
  const ready = await heartbeats.heartbeat(1, registered.brokerEpoch, {
    wantShutDown: false,
    currentMetadataOffset: registeredAt,
  });
  t.same([ready.isCaughtUp, ready.isFenced], [true, false], 'caught up: unfenced');
  t.notOk(c.image.brokers.get(1)?.fenced);
  t.equal(p(2).leader, 1, 'and leads its lone partition');
});

t.test('a second live broker with the same id is refused DUPLICATE_BROKER_REGISTRATION', async (t) => {
  const { c, heartbeats } = setUp();
  await heartbeats.heartbeat(1, 0n, { wantShutDown: false, currentMetadataOffset: 0, connectionId: 41 });
  const other = {
    brokerId: 1,
    clusterId: 'cluster',
    incarnationId: 'another-process-idAAAA',
    endPoints: [],
    rack: null,
    connectionId: 52,
  };
  const refused = await heartbeats.register(other);
  t.equal(refused.errorCode, ErrorCode.DUPLICATE_BROKER_REGISTRATION, 'broker 1 is alive on connection 41');
  t.notOk(c.image.brokers.get(1)?.fenced, 'the live broker keeps its registration');
  heartbeats.connectionClosed(41);
  await new Promise((r) => setImmediate(r));
  const accepted = await heartbeats.register(other);
  t.equal(
    accepted.errorCode,
    ErrorCode.NONE,
    `once its connection closed (killed), the new process registers (got ${accepted.errorCode})`,
  );
});

t.test('a closed heartbeat connection fences the broker at once; a new heartbeat unfences it', async (t) => {
  const { c, p, heartbeats } = setUp();
  await heartbeats.heartbeat(1, 0n, { wantShutDown: false, currentMetadataOffset: 0, connectionId: 41 });
  await heartbeats.heartbeat(2, 0n, { wantShutDown: false, currentMetadataOffset: 0, connectionId: 42 });
  heartbeats.connectionClosed(99);
  t.notOk(c.image.brokers.get(1)?.fenced, 'another connection closing changes nothing');
  heartbeats.connectionClosed(41);
  await new Promise((r) => setImmediate(r));
  t.ok(c.image.brokers.get(1)?.fenced, 'broker 1 fenced without waiting for the session timeout');
  t.same([p(0).leader, p(0).isr], [2, [2, 3]], 'and its partition led by an ISR member');
  await heartbeats.heartbeat(1, 0n, { wantShutDown: false, currentMetadataOffset: 0, connectionId: 43 });
  t.notOk(c.image.brokers.get(1)?.fenced, 'alive after all: its next heartbeat unfences it');
});
