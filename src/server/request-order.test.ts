/** RequestOrder: which of a connection's pipelined requests start at once (the wire behaviour: compat-tests/kafkajs-client/pipelined-joins.test.ts). */
import t from 'tap';
import { RequestOrder, runsAlone } from './request-order.js';

/** A frame (no size prefix) whose header names `apiKey`. */
function frameOf(apiKey: number): Buffer {
  const frame = Buffer.alloc(8);
  frame.writeInt16BE(apiKey, 0);
  return frame;
}

const PRODUCE = frameOf(0);
const FETCH = frameOf(1);
const JOIN_GROUP = frameOf(11);
const SYNC_GROUP = frameOf(14);

/** A request under test: started or not, and settled by hand. */
function request(): { started: boolean; run: () => Promise<string>; finish: () => void } {
  let finish = (): void => undefined;
  const r = {
    started: false,
    run: (): Promise<string> => {
      r.started = true;
      return new Promise<string>((resolve) => (finish = () => resolve('done')));
    },
    finish: (): void => finish(),
  };
  return r;
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

t.test('JoinGroup and SyncGroup run alone; others do not', async (t) => {
  t.ok(runsAlone(JOIN_GROUP));
  t.ok(runsAlone(SYNC_GROUP));
  t.notOk(runsAlone(PRODUCE));
  t.notOk(runsAlone(FETCH));
  t.notOk(runsAlone(Buffer.alloc(1)), 'a frame too short to name an API');
});

t.test('requests that do not run alone start at once, pipelined', async (t) => {
  const order = new RequestOrder();
  const a = request();
  const b = request();
  const pending: Promise<unknown>[] = [];
  pending.push(order.start(PRODUCE, () => pending, a.run));
  pending.push(order.start(FETCH, () => pending, b.run));
  t.ok(a.started && b.started, 'both started before either settled');
  a.finish();
  b.finish();
  await Promise.all(pending);
});

t.test('a JoinGroup waits for the requests before it, and the ones after it wait for it', async (t) => {
  const order = new RequestOrder();
  const fetch = request();
  const join = request();
  const secondJoin = request();
  const produce = request();
  const pending: Promise<unknown>[] = [];
  pending.push(order.start(FETCH, () => [...pending], fetch.run));
  pending.push(order.start(JOIN_GROUP, () => [...pending], join.run));
  pending.push(order.start(JOIN_GROUP, () => [...pending], secondJoin.run));
  pending.push(order.start(PRODUCE, () => [...pending], produce.run));
  await turn();
  t.ok(fetch.started);
  t.notOk(join.started, 'the join waits for the fetch read before it');
  fetch.finish();
  await turn();
  t.ok(join.started, 'the join starts once the fetch is answered');
  t.notOk(secondJoin.started, 'the second join waits for the first');
  t.notOk(produce.started, 'a request read after a join waits for it');
  join.finish();
  await turn();
  t.ok(secondJoin.started, 'the second join starts once the first is answered');
  t.notOk(produce.started, 'the produce still waits, now for the second join');
  secondJoin.finish();
  await turn();
  t.ok(produce.started);
  produce.finish();
  await Promise.all(pending);
  const after = request();
  const last = order.start(PRODUCE, () => [], after.run);
  t.ok(after.started, 'with nothing held, a request starts at once again');
  after.finish();
  await last;
});
