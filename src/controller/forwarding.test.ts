/**
 * RequestForwarder against a fake quorum and peer client: it waits for a leader, resends after
 * NOT_CONTROLLER once the leader changes, gives up (null: answer locally) at its timeout or when
 * this node becomes leader; principal and address encodings are Kafka's.
 */
import t from 'tap';
import { decodeDefaultPrincipalData } from '../../protocol/generated/data/DefaultPrincipalData.js';
import { Reader } from '../../protocol/primitives/index.js';
import { ANONYMOUS } from '../server/principal.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { EnvelopeRequest, EnvelopeResponse } from '../../protocol/generated/messages/58-envelope.js';
import { SystemClock } from '../common/clock.js';
import { createLogger } from '../common/logger.js';
import {
  FORWARDED_API_KEYS,
  RequestForwarder,
  hostAddressBytes,
  serializePrincipal,
  type ForwardingQuorum,
} from './forwarding.js';

class FakeQuorum implements ForwardingQuorum {
  leader = -1;
  leading = false;
  readonly sent: Array<{ to: number; body: EnvelopeRequest }> = [];
  answers: Array<(to: number) => EnvelopeResponse> = [];
  private listeners = new Set<() => void>();
  readonly peers = {
    knows: (id: number) => id >= 1 && id <= 3,
    request: <Req, Res>(to: number, api: { apiKey: number }, _v: number, body: Req): Promise<Res> => {
      if (api.apiKey === 55) {
        // The catch-up barrier asks the leader for its high watermark.
        const dq = { errorCode: 0, topics: [{ partitions: [{ errorCode: 0, highWatermark: 7n }] }] };
        return Promise.resolve(dq as unknown as Res);
      }
      this.sent.push({ to, body: body as unknown as EnvelopeRequest });
      const next = this.answers.shift();
      if (!next) return Promise.reject(new Error('unreachable'));
      return Promise.resolve(next(to) as unknown as Res);
    },
  };
  readonly appliedWaits: number[] = [];
  waitApplied(offset: number): Promise<boolean> {
    this.appliedWaits.push(offset);
    return Promise.resolve(true);
  }
  leaderId(): number {
    return this.leader;
  }
  isLeader(): boolean {
    return this.leading;
  }
  onceLeaderChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  changeLeader(id: number): void {
    this.leader = id;
    const once = [...this.listeners];
    this.listeners.clear();
    for (const l of once) l();
  }
  waiting(): number {
    return this.listeners.size;
  }
}

const logger = createLogger({ level: 'silent', pretty: false });
const make = (quorum: FakeQuorum, timeoutMs = 5000) =>
  new RequestForwarder({ quorum, nodeId: 1, timeoutMs, logger, clock: new SystemClock() });
const frame = Buffer.from('inner request');

async function untilWaiting(q: FakeQuorum): Promise<void> {
  while (q.waiting() === 0) await new Promise((r) => setImmediate(r));
}

t.test('waits for a leader, then forwards the frame as it came', async (t) => {
  const q = new FakeQuorum();
  q.answers.push(() => ({ errorCode: 0, responseData: Buffer.from('answer') }));
  const pending = make(q).forward(frame, '10.0.0.7', ANONYMOUS);
  await untilWaiting(q);
  t.equal(q.sent.length, 0, 'nothing sent without a leader');
  q.changeLeader(2);
  t.same(await pending, Buffer.from('answer'));
  t.equal(q.sent[0]?.to, 2);
  t.same(q.sent[0]?.body.requestData, frame);
  t.same([...q.sent[0]!.body.clientHostAddress], [10, 0, 0, 7]);
  t.same(q.appliedWaits, [7], 'the answer waited for this node to apply up to the leader high watermark');
});

t.test('NOT_CONTROLLER from the old leader: resent to the next one', async (t) => {
  const q = new FakeQuorum();
  q.leader = 2;
  q.answers.push(() => ({ errorCode: ErrorCode.NOT_CONTROLLER, responseData: null }));
  q.answers.push(() => ({ errorCode: 0, responseData: Buffer.from('from 3') }));
  const pending = make(q).forward(frame, '127.0.0.1', ANONYMOUS);
  await untilWaiting(q);
  q.changeLeader(3);
  t.same(await pending, Buffer.from('from 3'));
  t.same(
    q.sent.map((s) => s.to),
    [2, 3],
  );
});

t.test('gives up at the timeout or when this node leads; other envelope errors are handed back', async (t) => {
  const q = new FakeQuorum();
  t.equal(await make(q, 30).forward(frame, '127.0.0.1', ANONYMOUS), null, 'no leader within the timeout');
  q.leader = 1;
  q.leading = true;
  t.equal(await make(q).forward(frame, '127.0.0.1', ANONYMOUS), null, 'this node is the leader: serve it here');
  q.leading = false;
  q.leader = 2;
  q.answers.push(() => ({ errorCode: ErrorCode.UNSUPPORTED_VERSION, responseData: null }));
  t.same(
    await make(q).forward(frame, '127.0.0.1', ANONYMOUS),
    { envelopeError: ErrorCode.UNSUPPORTED_VERSION },
    'UNSUPPORTED_VERSION: handed back (the dispatcher closes the connection, as Kafka)',
  );
  q.answers.push(() => ({ errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, responseData: null }));
  t.same(
    await make(q).forward(frame, '127.0.0.1', ANONYMOUS),
    { envelopeError: ErrorCode.CLUSTER_AUTHORIZATION_FAILED },
    'a refused envelope: handed back, not retried (the client gets UNKNOWN_SERVER_ERROR)',
  );
  t.equal(q.sent.length, 2, 'each sent once');
  const f = make(q);
  t.ok(f.shouldForward(19) && !f.shouldForward(0), 'CreateTopics is forwarded, Produce never');
  q.leading = true;
  t.notOk(f.shouldForward(19), 'not on the leader');
  t.same(
    [...FORWARDED_API_KEYS].sort((a, b) => a - b),
    [19, 20, 30, 31, 33, 37, 43, 44, 45, 49, 51, 64],
  );
});

t.test('elected here but not caught up with its epoch start: waits to serve it, not NOT_CONTROLLER', async (t) => {
  // A combined node just elected Raft leader answers NOT_CONTROLLER until its controller has applied
  // its epoch's LeaderChange entry; kafkajs's createTopics gives up on a topic-level NOT_CONTROLLER, so
  // the request waits (within its timeout) for this controller to become active.
  const q = new FakeQuorum();
  q.leader = 1;
  let settled = false;
  const pending = make(q)
    .forward(frame, '127.0.0.1', ANONYMOUS)
    .then((answer) => {
      settled = true;
      return answer;
    });
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  t.notOk(settled, 'still waiting while this node leads Raft but its controller is not active');
  q.leading = true;
  t.equal(await pending, null, 'active now: served here');
  t.equal(q.sent.length, 0, 'nothing was sent to itself');
  t.equal(await make(q, 30).forward(frame, '127.0.0.1', ANONYMOUS), null);
  q.leading = false;
  t.equal(await make(q, 30).forward(frame, '127.0.0.1', ANONYMOUS), null, 'never active: the timeout ends the wait');
});

t.test('principal and address encodings', async (t) => {
  const r = new Reader(serializePrincipal('User', 'alice'));
  t.equal(r.int16(), 0, 'DefaultPrincipalData version first');
  t.same(decodeDefaultPrincipalData(r, 0), { type: 'User', name: 'alice', tokenAuthenticated: false });
  t.same([...hostAddressBytes('192.168.1.20')], [192, 168, 1, 20]);
  t.same([...hostAddressBytes('::ffff:10.1.2.3')], [10, 1, 2, 3], 'an IPv4-mapped address is 4 bytes');
  const v6 = hostAddressBytes('fe80::1');
  t.equal(v6.length, 16);
  t.equal(v6.readUInt16BE(0), 0xfe80);
  t.equal(v6.readUInt16BE(14), 1);
});
