/**
 * ClusterAuthorizationRefusals: a refused RPC is logged as an error naming the peer, the RPC and the
 * fix, at most once a minute per peer and RPC, on a manual clock.
 */
import t from 'tap';
import pino from 'pino';
import { Writable } from 'node:stream';
import { ManualClock } from '../common/clock.js';
import { ClusterAuthorizationRefusals } from './cluster-authorization-refusals.js';

t.test('refusals are logged once a minute per peer and RPC', async (t) => {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  const clock = new ManualClock(1000);
  const refusals = new ClusterAuthorizationRefusals(1, pino({ level: 'info' }, stream), clock);
  for (let i = 0; i < 50; i++) {
    refusals.refusedBy(2, 'Vote');
    clock.advance(500);
  }
  refusals.refusedBy(3, 'Vote');
  refusals.refusedBy(2, 'BrokerRegistration');
  await new Promise((r) => setImmediate(r));
  t.equal(lines.length, 3, '50 refusals by one peer over 25 s give one line; another peer or RPC has its own');
  t.match(lines[0], { level: 50, peer: 2, rpc: 'Vote', nodeId: 1 });
  t.match(
    String(lines[0]?.['msg']),
    /node 2 refused Vote from node 1 with CLUSTER_AUTHORIZATION_FAILED: .* needs CLUSTER_ACTION on the cluster: list it in super.users/,
  );
  clock.advance(40_000);
  refusals.refusedBy(2, 'Vote');
  await new Promise((r) => setImmediate(r));
  t.equal(lines.length, 4, 'logged again once a minute has passed');
});
