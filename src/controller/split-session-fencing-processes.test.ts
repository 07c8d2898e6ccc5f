/**
 * Split mode (one controller-only process, two broker-only processes): a broker paused with SIGSTOP keeps
 * its sockets open, so only its session can tell the controller it is gone. The controller fences it
 * once broker.session.timeout.ms has passed without a heartbeat (its partitions' leadership moves and
 * Metadata stops listing it), and unfences it again after SIGCONT. Before, only a node with a broker
 * of its own ever checked the sessions, so a controller-only quorum never fenced a paused broker.
 */
import t from 'tap';
import { FAST_QUORUM_SETTINGS, ProcessCluster } from '../../test/helpers/process-cluster.js';

t.setTimeout(240_000);

const SESSION_MS = 3000;

t.test('a controller-only quorum fences a paused broker after its session timeout', async (t) => {
  const cluster = new ProcessCluster({ ...FAST_QUORUM_SETTINGS, 'broker.session.timeout.ms': String(SESSION_MS) });
  t.teardown(() => cluster.stop());
  await cluster.startSplitRegistered(1, 2);
  const [paused, other] = cluster.brokers;
  const listed = async (): Promise<number[] | null> =>
    (await cluster.metadata(other!, []))?.brokers.map((b) => b.nodeId).sort() ?? null;
  t.same(await listed(), [paused!.id, other!.id].sort(), 'both brokers registered and unfenced');

  cluster.pause(paused!);
  const pausedAt = Date.now();
  await cluster.waitFor('the paused broker fenced', 30_000, async () => {
    const ids = await listed();
    return ids !== null && !ids.includes(paused!.id);
  });
  const fencedAfterMs = Date.now() - pausedAt;
  t.ok(fencedAfterMs >= SESSION_MS - 500, `fenced after its session timed out (${fencedAfterMs} ms)`);

  cluster.resume(paused!);
  await cluster.waitFor('the resumed broker unfenced again', 30_000, async () =>
    (await listed())?.includes(paused!.id),
  );
  t.pass('after SIGCONT it heartbeats and is unfenced again');
});
