/**
 * The simulated inter-node network: answers keep request order per connection, partitions drop
 * frames silently, crashes close connections and refuse new ones, resets close both ends, and a
 * PeerClient over it times out on the manual clock.
 */
import t from 'tap';
import { ManualScheduler } from '../common/scheduler.js';
import type { ConnectionEvents, ServedFrame } from '../common/transport.js';
import { ApiVersionsApi, defaultApiVersionsRequest } from '../../protocol/generated/messages/18-api-versions.js';
import { PeerClient, PeerRequestError } from '../controller/peer-client.js';
import { SeededRandom } from './random.js';
import { CALM_SIM_NET, SimNet } from './sim-transport.js';

/** A size-prefixed frame holding one int32. */
function frame(n: number): Buffer[] {
  const b = Buffer.alloc(8);
  b.writeInt32BE(4, 0);
  b.writeInt32BE(n, 4);
  return [b];
}

interface Recorder extends ConnectionEvents {
  readonly frames: number[];
  readonly closes: string[];
}

function recorder(): Recorder {
  const frames: number[] = [];
  const closes: string[] = [];
  return {
    frames,
    closes,
    onOpen: () => {},
    onFrame: (f) => frames.push(f.readInt32BE(0)),
    onClose: (r) => closes.push(r),
  };
}

/** Node 1 serves at a:1; a request n is answered after n ms of simulated time, with n. */
function setup(seed = 1): { s: ManualScheduler; net: SimNet } {
  const s = new ManualScheduler();
  const net = new SimNet(s, new SeededRandom(seed), CALM_SIM_NET);
  net.node(1, 'a').listen('a', 1, (body) => {
    const n = body.readInt32BE(0);
    return new Promise<ServedFrame>((resolve) => s.after(n, () => resolve({ kind: 'respond', frame: frame(n) })));
  });
  return { s, net };
}

async function run(s: ManualScheduler, ms: number): Promise<void> {
  const end = s.now() + ms;
  while (s.runNext(end)) await new Promise((r) => setImmediate(r));
  s.advance(Math.max(0, end - s.now()));
}

t.test('answers come back in request order even when served out of order', async (t) => {
  const { s, net } = setup();
  const events = recorder();
  const c = net.node(2, 'b').connect({ host: 'a', port: 1 }, events);
  c.send(frame(50));
  c.send(frame(1));
  c.send(frame(20));
  await run(s, 200);
  t.same(events.frames, [50, 1, 20]);
  t.same(events.closes, []);
});

t.test('a partition drops frames silently; healing lets new ones through', async (t) => {
  const { s, net } = setup();
  const events = recorder();
  const c = net.node(2, 'b').connect({ host: 'a', port: 1 }, events);
  net.partition([[1], [2]]);
  c.send(frame(1));
  await run(s, 100);
  t.same(events.frames, []);
  t.equal(net.stats.dropped, 1);
  net.heal();
  c.send(frame(2));
  await run(s, 100);
  t.same(events.frames, [2]);
  t.same(events.closes, []);
});

t.test('a crash closes the connections to the node and refuses new ones; unknown addresses are refused', async (t) => {
  const { s, net } = setup();
  const events = recorder();
  const c = net.node(2, 'b').connect({ host: 'a', port: 1 }, events);
  c.send(frame(100));
  await run(s, 20);
  net.crash(1);
  await run(s, 200);
  t.same(events.frames, [], 'the answer of a crashed node never comes');
  t.same(events.closes, ['connection reset']);
  const again = recorder();
  net.node(2, 'b').connect({ host: 'a', port: 1 }, again);
  const nowhere = recorder();
  net.node(2, 'b').connect({ host: 'z', port: 9 }, nowhere);
  await run(s, 50);
  t.same(again.closes, ['connection refused']);
  t.same(nowhere.closes, ['connection refused']);
});

t.test('resets close the connection; a client that closed it hears nothing more', async (t) => {
  const s = new ManualScheduler();
  const net = new SimNet(s, new SeededRandom(3), { ...CALM_SIM_NET, resetRate: 1 });
  net.node(1, 'a').listen('a', 1, () => Promise.resolve({ kind: 'respond', frame: frame(1) }));
  const events = recorder();
  net.node(2, 'b').connect({ host: 'a', port: 1 }, events).send(frame(1));
  await run(s, 50);
  t.same(events.closes, ['connection reset']);
  t.equal(net.stats.resets, 1);
  net.faults = CALM_SIM_NET;
  const quiet = recorder();
  const c = net.node(2, 'b').connect({ host: 'a', port: 1 }, quiet);
  c.send(frame(1));
  c.close();
  await run(s, 50);
  t.same(quiet.frames, []);
  t.same(quiet.closes, []);
});

t.test(
  'a PeerClient over the simulated network times out on the manual clock, and is refused across a partition',
  async (t) => {
    const s = new ManualScheduler();
    const net = new SimNet(s, new SeededRandom(4), CALM_SIM_NET);
    const client = new PeerClient(new Map([[1, { host: 'a', port: 1 }]]), {
      clock: s,
      transport: net.node(2, 'b'),
      requestTimeoutMs: 300,
      reconnectBackoffMs: 0,
    });
    net.node(1, 'a').listen('a', 1, () => new Promise<ServedFrame>(() => {})); // never answers
    let failure: unknown;
    client.request(1, ApiVersionsApi, 3, defaultApiVersionsRequest()).catch((err: unknown) => (failure = err));
    await run(s, 250);
    t.equal(failure, undefined, 'still waiting at 250 ms');
    await run(s, 200);
    t.ok(failure instanceof PeerRequestError && failure.kind === 'timeout', 'timed out at 300 ms of simulated time');
    net.crash(1);
    await run(s, 50);
    net.partition([[1], [2]]);
    let refused: unknown;
    client.request(1, ApiVersionsApi, 3, defaultApiVersionsRequest()).catch((err: unknown) => (refused = err));
    await run(s, 50);
    t.ok(refused instanceof PeerRequestError && refused.kind === 'unreachable', 'refused');
    client.close();
  },
);
