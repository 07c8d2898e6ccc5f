/**
 * SendLane: batches write in the order they entered, at most maxInFlight unanswered, a later batch
 * learns whether the one before it was delivered, and a batch that fails before writing still lets
 * the next one go.
 */
import t from 'tap';
import { SendLane, type LaneTurn } from './send-lane.js';

interface Pending {
  turn: LaneTurn;
  answer: (ok: boolean) => void;
}

/** A lane whose sends are answered by the test: each writes at once and waits for its answer. */
function lane(maxInFlight: number): {
  enter: (id: number) => Promise<number>;
  written: number[];
  pending: Map<number, Pending>;
} {
  const sendLane = new SendLane(maxInFlight);
  const written: number[] = [];
  const pending = new Map<number, Pending>();
  const enter = (id: number): Promise<number> =>
    sendLane.run(
      (turn) =>
        new Promise<number>((resolve, reject) => {
          written.push(id);
          turn.written();
          pending.set(id, { turn, answer: (ok) => (ok ? resolve(id) : reject(new Error(`batch ${id} failed`))) });
        }),
    );
  return { enter, written, pending };
}

const turns = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

t.test('writes in order, at most maxInFlight unanswered', async (t) => {
  const { enter, written, pending } = lane(3);
  const results = [1, 2, 3, 4, 5].map((id) => enter(id));
  await turns();
  t.same(written, [1, 2, 3], 'three in flight');
  pending.get(2)!.answer(true);
  await turns();
  t.same(written, [1, 2, 3, 4], 'an answer frees a slot');
  for (const id of [1, 3, 4]) pending.get(id)!.answer(true);
  await turns();
  t.same(written, [1, 2, 3, 4, 5]);
  pending.get(5)!.answer(true);
  t.same(await Promise.all(results), [1, 2, 3, 4, 5]);
});

t.test('a batch learns whether the one before it was delivered', async (t) => {
  const { enter, pending } = lane(5);
  const first = enter(1);
  first.catch(() => undefined);
  const second = enter(2);
  await turns();
  const turn = pending.get(2)!.turn;
  t.ok(turn.predecessorOpen(), 'the first is unanswered');
  pending.get(1)!.answer(false);
  t.equal(await turn.predecessorSettled(), false, 'it failed');
  await turns();
  t.notOk(turn.predecessorOpen());
  pending.get(2)!.answer(true);
  t.equal(await second, 2);
});

t.test('a send that fails before writing lets the next one write', async (t) => {
  const sendLane = new SendLane(5);
  const order: string[] = [];
  const failing = sendLane.run(() => Promise.reject(new Error('no leader')));
  const next = sendLane.run(async (turn) => {
    order.push('next writes');
    turn.written();
    return 'ok';
  });
  await t.rejects(failing, /no leader/);
  t.equal(await next, 'ok');
  t.same(order, ['next writes']);
});
