/**
 * Issue #14: a new leader must not act as the active controller before its state machine holds every
 * entry an earlier leader committed. Node 1 commits `fence-broker-3` with node 2 (node 3 cut off),
 * then is cut off itself before node 2 learns the new high watermark; node 2 wins epoch 2 with the
 * entry in its log but not applied. Kafka's KafkaRaftClient tells the leader's listener of its
 * leadership only once the listener has read past the epoch's start offset (maybeFireLeaderChange);
 * leaderCaughtUp() is that moment here.
 */
import t from 'tap';
import { Harness } from './test-harness.js';

t.test('a new leader is caught up only once it has applied the entries earlier epochs committed', async (t) => {
  const h = new Harness([1, 2, 3]);
  h.run(1100);
  t.ok(h.node(1).isLeader(), 'node 1 leads epoch 1');
  t.ok(h.node(1).leaderCaughtUp(), 'its LeaderChange entry is committed and applied');
  h.isolate(3);
  const { lastOffset } = h.node(1).propose([Buffer.from('fence-broker-3')]);
  // Node 2 fetches the entry; its next fetch raises node 1's high watermark, but the answer that
  // would carry it to node 2 is lost: node 1 is cut off from then on.
  h.filter = (from, message) => {
    if (from === 3 || message.destination === 3) return false;
    return !(from === 1 && h.node(1).highWatermark() > lastOffset);
  };
  h.runUntil(() => h.node(1).highWatermark() > lastOffset, 500);
  t.same(h.member(1).machine.items, ['fence-broker-3'], 'committed and applied on the old leader');
  t.ok(h.member(2).log.endOffset() > lastOffset, 'node 2 holds the entry');
  t.same(h.member(2).machine.items, [], 'but has not applied it');

  // Node 1 is gone; node 2 (the longer log) wins epoch 2, but node 3 has not fetched yet.
  h.isolate(1);
  const fetchesFrom3 = (from: number, message: { kind: string; destination: number }) =>
    from === 3 && message.kind === 'request' && h.node(2).isLeader();
  h.filter = (from, message) => from !== 1 && message.destination !== 1 && !fetchesFrom3(from, message);
  h.runUntil(() => h.node(2).isLeader(), 3000);
  t.ok(h.node(2).isLeader(), 'node 2 leads epoch 2');
  t.same(h.member(2).machine.items, [], 'the committed entry of epoch 1 is not applied yet');
  t.notOk(h.node(2).leaderCaughtUp(), 'so node 2 is not yet caught up: it must not act as the controller');

  // Node 3 fetches the epoch-2 LeaderChange entry: the high watermark passes it on node 2.
  h.filter = (from, message) => from !== 1 && message.destination !== 1;
  h.runUntil(() => h.node(2).leaderCaughtUp(), 1000);
  t.ok(h.node(2).leaderCaughtUp(), 'caught up once a majority holds its LeaderChange entry');
  t.same(h.member(2).machine.items, ['fence-broker-3'], 'and the entry of epoch 1 is applied by then');
});
