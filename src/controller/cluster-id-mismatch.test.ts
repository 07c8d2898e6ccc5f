/**
 * ClusterIdMismatchReporter: errors name both ids (receiving side) or our id and the peer (rejected
 * side), at most once a minute per peer and direction, on a manual clock.
 */
import t from 'tap';
import pino from 'pino';
import { Writable } from 'node:stream';
import { ManualClock } from '../common/clock.js';
import { ClusterIdMismatchReporter } from './cluster-id-mismatch.js';

function capture(): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

t.test('a foreign cluster id is logged as an error with both ids, once a minute per peer', async (t) => {
  const clock = new ManualClock(1000);
  const { logger, lines } = capture();
  const reporter = new ClusterIdMismatchReporter('ours', logger, clock);
  reporter.requestFrom(2, 'Vote', 'ours');
  reporter.requestFrom(2, 'Vote', null);
  reporter.requestFrom(2, 'Fetch', '');
  await new Promise((r) => setImmediate(r));
  t.equal(lines.length, 0, 'matching, absent (old versions) and empty ids are not reported');

  for (let i = 0; i < 100; i++) {
    reporter.requestFrom(2, 'Vote', 'theirs');
    clock.advance(100);
  }
  reporter.requestFrom(3, 'Fetch', 'other');
  reporter.rejectedBy(2, 'Vote');
  reporter.rejectedBy(2, 'BeginQuorumEpoch');
  await new Promise((r) => setImmediate(r));
  t.equal(
    lines.length,
    3,
    '100 rejections over 10 s from one peer give one line; another peer and the other direction have their own',
  );
  t.match(lines[0], { level: 50, peer: 2, rpc: 'Vote', peerClusterId: 'theirs', clusterId: 'ours' });
  t.match(
    String(lines[0]?.msg),
    /node 2 sent Vote for cluster id theirs, but this node's cluster id is ours: rejected with INCONSISTENT_CLUSTER_ID/,
  );
  t.match(lines[1], { level: 50, peer: 3, peerClusterId: 'other' });
  t.match(lines[2], { level: 50, peer: 2, rpc: 'Vote', clusterId: 'ours' });
  t.match(String(lines[2]?.msg), /node 2 rejected Vote with INCONSISTENT_CLUSTER_ID: this node's cluster id is ours/);

  clock.advance(50_000);
  reporter.requestFrom(2, 'Vote', 'theirs');
  await new Promise((r) => setImmediate(r));
  t.equal(lines.length, 4, 'reported again once a minute has passed');
});
