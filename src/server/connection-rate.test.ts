/**
 * Connection creation rates on injected time: the broker and listener rates delay new
 * connections in order (Kafka's blocked acceptor), bounded by one window; an IP over its
 * connection_creation_rate is closed after its throttle and not counted; the inter-broker and
 * controller listeners are exempt as on Kafka; ip entities resolve specific before default.
 */
import t from 'tap';
import { ManualScheduler } from '../common/scheduler.js';
import { applyClientQuotaRecord, type ClientQuotaEntry } from '../metadata/client-quotas.js';
import {
  ConnectionRateGate,
  ConnectionRates,
  ipConnectionRate,
  normalizedIp,
  UNLIMITED_RATE,
  type ConnectionRateSettings,
} from './connection-rate.js';

const WINDOW = { samples: 2, windowMs: 1000 };
const settings = (over: Partial<ConnectionRateSettings>): (() => ConnectionRateSettings) => {
  const s: ConnectionRateSettings = {
    brokerRate: UNLIMITED_RATE,
    listenerRate: () => UNLIMITED_RATE,
    ipRate: () => UNLIMITED_RATE,
    protectedListener: () => false,
    ...over,
  };
  return () => s;
};

class FakeSocket {
  destroyed = false;
  destroy(): void {
    this.destroyed = true;
  }
}

t.test('the broker rate: connections over it wait (rate - limit) / limit × span, at most a window', async (t) => {
  const rates = new ConnectionRates(WINDOW, settings({ brokerRate: 2 }));
  // the first window counts as a whole one (samples - 1 windows at least): 2 connections in it are 2/s
  t.equal(rates.recordConnection('PLAINTEXT', 0), 0);
  t.equal(rates.recordConnection('PLAINTEXT', 0), 0);
  t.equal(rates.recordConnection('PLAINTEXT', 0), 500, '3/s against 2/s over 1 s: 500 ms');
  for (let i = 0; i < 10; i++) rates.recordConnection('PLAINTEXT', 10);
  t.equal(rates.recordConnection('PLAINTEXT', 10), 1000, 'bounded by one window');
  const exempt = new ConnectionRates(WINDOW, settings({ brokerRate: 1, protectedListener: (l) => l === 'INTERNAL' }));
  for (let i = 0; i < 5; i++) t.equal(exempt.recordConnection('INTERNAL', 0), 0, 'the inter-broker listener is exempt');
});

t.test('a listener rate applies to its listener only', async (t) => {
  const rates = new ConnectionRates(WINDOW, settings({ listenerRate: (l) => (l === 'EXTERNAL' ? 1 : UNLIMITED_RATE) }));
  t.equal(rates.recordConnection('EXTERNAL', 0), 0);
  t.ok(rates.recordConnection('EXTERNAL', 0) > 0, 'the second EXTERNAL connection in a second waits');
  for (let i = 0; i < 5; i++) t.equal(rates.recordConnection('PLAINTEXT', 0), 0, 'another listener is not limited');
});

t.test('over an IP quota: not counted anywhere, closed after the throttle', async (t) => {
  const rates = new ConnectionRates(
    WINDOW,
    settings({
      brokerRate: 100,
      listenerRate: () => 100,
      ipRate: (ip) => (normalizedIp(ip) === '10.0.0.1' ? 1 : UNLIMITED_RATE),
    }),
  );
  rates.recordConnection('PLAINTEXT', 0);
  t.equal(rates.recordIp('PLAINTEXT', '10.0.0.1', 0), 0, 'first from 10.0.0.1');
  rates.recordConnection('PLAINTEXT', 0);
  t.equal(rates.recordIp('PLAINTEXT', '10.0.0.1', 0), 1000, 'second: 2/s against 1/s, throttled 1 s');
  t.equal(rates.measure('ip:10.0.0.1', 0), 1, 'the throttled one is taken back from the IP rate');
  t.equal(rates.measure('broker', 0), 1, 'and from the broker rate');
  t.equal(rates.measure('listener:PLAINTEXT', 0), 1, 'and from the listener rate');
  t.equal(rates.recordIp('PLAINTEXT', '10.0.0.2', 0), 0, 'another address is not limited');
  t.equal(rates.recordIp('PLAINTEXT', '::ffff:10.0.0.1', 1), 999, 'an IPv4-mapped address counts as its IPv4 form');
});

t.test('ip entities: the address first, then the default', async (t) => {
  const quotas = new Map<string, ClientQuotaEntry>();
  const set = (ip: string | null, value: number) =>
    applyClientQuotaRecord(quotas, {
      entity: [{ entityType: 'ip', entityName: ip }],
      key: 'connection_creation_rate',
      value,
      remove: false,
    });
  t.equal(ipConnectionRate(quotas, '127.0.0.1'), UNLIMITED_RATE, 'none set');
  set(null, 5);
  set('127.0.0.1', 2);
  t.equal(ipConnectionRate(quotas, '::ffff:127.0.0.1'), 2);
  t.equal(ipConnectionRate(quotas, '10.1.1.1'), 5, 'the default ip entity');
});

t.test('the gate admits in order, holds connections over the rate, closes throttled ones', async (t) => {
  const scheduler = new ManualScheduler(0);
  const rates = new ConnectionRates(
    WINDOW,
    settings({ brokerRate: 2, ipRate: (ip) => (ip === 'bad' ? 1 : UNLIMITED_RATE) }),
  );
  const throttled: number[] = [];
  const gate = new ConnectionRateGate<FakeSocket>(
    rates,
    scheduler,
    (l) => l === 'CONTROLLER',
    (_l, _c, ms) => throttled.push(ms),
  );
  const served: number[] = [];
  const sockets = [0, 1, 2, 3].map(() => new FakeSocket());
  sockets.forEach((s, i) => gate.admit('PLAINTEXT', 'good', s, () => served.push(i)));
  t.same(served, [0, 1], 'two within 2/s at once');
  t.equal(gate.held(), 2, 'the rest wait');
  gate.admit('CONTROLLER', 'node', new FakeSocket(), () => served.push(99));
  t.same(served, [0, 1, 99], 'controller listeners are not limited');
  scheduler.advance(499);
  t.same(served, [0, 1, 99], 'not before the delay');
  scheduler.advance(1);
  t.same(served, [0, 1, 99, 2], 'the third after 500 ms');
  scheduler.advance(5000);
  t.same(served, [0, 1, 99, 2, 3], 'then the fourth, in order');

  const later = new FakeSocket();
  scheduler.advance(10_000);
  gate.admit('PLAINTEXT', 'bad', new FakeSocket(), () => served.push(5));
  gate.admit('PLAINTEXT', 'bad', later, () => served.push(6));
  t.same(served.slice(-1), [5], 'the first from a limited IP is served');
  t.same(throttled, [1000], 'the second is over its IP quota');
  t.notOk(later.destroyed, 'held for the throttle time');
  scheduler.advance(1000);
  t.ok(later.destroyed, 'then closed');
  t.equal(gate.held(), 0);

  const waiting = [new FakeSocket(), new FakeSocket(), new FakeSocket()];
  for (const s of waiting) gate.admit('PLAINTEXT', 'good', s, () => undefined);
  gate.close();
  t.ok(
    waiting.some((s) => s.destroyed),
    'close() destroys the sockets still waiting',
  );
  t.equal(gate.held(), 0);
});
