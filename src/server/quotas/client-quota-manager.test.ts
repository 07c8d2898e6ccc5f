/** Client quota rates and precedence, on injected time: Kafka's sampled rate, throttle times and entity order. */
import t from 'tap';
import { applyClientQuotaRecord, type ClientQuotaEntry } from '../../metadata/client-quotas.js';
import { ClientQuotaManager, type QuotaSource } from './client-quota-manager.js';
import { SampledRate, TokenBucket } from './sampled-rate.js';

const WINDOW = { samples: 11, windowMs: 1000 };

/** A mutable quota source, as the metadata image is. */
function source(): QuotaSource & {
  set(user: string | null | undefined, clientId: string | null | undefined, key: string, value: number): void;
  remove(user: string | null | undefined, clientId: string | null | undefined, key: string): void;
} {
  const clientQuotas = new Map<string, ClientQuotaEntry>();
  const entity = (user: string | null | undefined, clientId: string | null | undefined) => [
    ...(user !== undefined ? [{ entityType: 'user', entityName: user }] : []),
    ...(clientId !== undefined ? [{ entityType: 'client-id', entityName: clientId }] : []),
  ];
  const src = {
    clientQuotas,
    clientQuotasVersion: 0,
    set(user: string | null | undefined, clientId: string | null | undefined, key: string, value: number) {
      applyClientQuotaRecord(clientQuotas, { entity: entity(user, clientId), key, value, remove: false });
      src.clientQuotasVersion++;
    },
    remove(user: string | null | undefined, clientId: string | null | undefined, key: string) {
      applyClientQuotaRecord(clientQuotas, { entity: entity(user, clientId), key, value: 0, remove: true });
      src.clientQuotasVersion++;
    },
  };
  return src;
}

t.test('the sampled rate counts at least samples - 1 windows, then the time elapsed', async (t) => {
  const rate = new SampledRate(WINDOW);
  rate.record(1000, 0);
  t.equal(rate.windowSizeMs(0), 10_000, 'a first value is spread over 10 windows');
  t.equal(rate.measure(0), 100);
  rate.record(1000, 15_500);
  // the first sample (t=0) saw nothing for 11 windows: reset; the span is the minimum again
  t.equal(rate.measure(15_500), 100, 'old samples expire after samples × window');
  for (let s = 0; s < 30; s++) rate.record(500, 20_000 + s * 1000);
  t.ok(Math.abs(rate.measure(49_999) - 500) < 60, `a steady 500/s measures about 500/s (${rate.measure(49_999)})`);
  rate.record(-500, 49_999);
  t.ok(rate.measure(49_999) < 500, 'a negative value takes a recorded one back');
});

t.test('over the quota, the throttle is (rate - quota) / quota × the span measured', async (t) => {
  const src = source();
  src.set('alice', undefined, 'producer_byte_rate', 100);
  const produce = new ClientQuotaManager('producer_byte_rate', WINDOW, () => src);
  t.equal(produce.recordAndGetThrottleMs('alice', 'app', 1000, 0), 0, '1000 bytes over 10 s is 100/s: at the quota');
  t.equal(produce.recordAndGetThrottleMs('alice', 'app', 1000, 0), 10_000, '200/s: twice the quota over 10 s');
  t.equal(produce.recordAndGetThrottleMs('bob', 'app', 1_000_000, 0), 0, 'bob has no quota');
  t.equal(produce.maxValueInWindow('alice', 'x'), 1000, 'quota × (samples - 1) windows');
  t.equal(produce.maxValueInWindow('bob', 'x'), Number.POSITIVE_INFINITY);

  const request = new ClientQuotaManager('request_percentage', WINDOW, () => src, WINDOW.windowMs);
  src.set(null, undefined, 'request_percentage', 1);
  t.equal(
    request.recordAndGetThrottleMs('carol', 'c', 500, 0),
    1000,
    'request_percentage throttles at most one window',
  );
});

t.test('a client obeying the throttle times gets the quota, within a few percent', async (t) => {
  const src = source();
  src.set(undefined, 'fast', 'producer_byte_rate', 50_000);
  const produce = new ClientQuotaManager('producer_byte_rate', WINDOW, () => src);
  let now = 0;
  let sent = 0;
  // as fast as possible: 16 KiB every 5 ms unless throttled (a muted connection reads nothing)
  while (now < 120_000) {
    sent += 16_384;
    const throttle = produce.recordAndGetThrottleMs('ANONYMOUS', 'fast', 16_384, now);
    now += Math.max(5, throttle);
  }
  const rate = sent / (now / 1000);
  t.ok(rate > 50_000 * 0.95 && rate < 50_000 * 1.1, `measured ${Math.round(rate)} B/s for a quota of 50000`);
});

t.test(
  "Kafka's precedence: user+client-id, user+default, user, default user..., client-id, default client-id",
  async (t) => {
    const src = source();
    const m = new ClientQuotaManager('consumer_byte_rate', WINDOW, () => src);
    const limit = (user: string, clientId: string) => m.resolve(user, clientId)?.limit ?? null;
    t.equal(m.enabled(), false, 'no quota: nothing is recorded');
    t.equal(limit('u', 'c'), null);
    const levels: Array<[string | null | undefined, string | null | undefined, number]> = [
      [undefined, null, 8],
      [undefined, 'c', 7],
      [null, undefined, 6],
      [null, null, 5],
      [null, 'c', 4],
      ['u', undefined, 3],
      ['u', null, 2],
      ['u', 'c', 1],
    ];
    for (const [user, clientId, value] of levels) {
      src.set(user, clientId, 'consumer_byte_rate', value);
      t.equal(limit('u', 'c'), value, `level ${value} wins once set`);
    }
    t.equal(limit('u', 'other'), 2, 'user + default client-id');
    t.equal(limit('v', 'c'), 4, 'default user + client-id');
    t.equal(limit('v', 'other'), 5, 'default user + default client-id');
    src.remove(null, null, 'consumer_byte_rate');
    src.remove(null, 'c', 'consumer_byte_rate');
    t.equal(limit('v', 'other'), 6, 'default user');
    src.remove(null, undefined, 'consumer_byte_rate');
    t.equal(limit('v', 'c'), 7, 'client-id');
    t.equal(limit('v', 'other'), 8, 'default client-id');
    src.set('u', undefined, 'producer_byte_rate', 99);
    t.equal(limit('v', 'other'), 8, 'another key does not count');
    t.equal(m.resolve('ip-user', 'x')?.limit, 8);
  },
);

t.test('clients resolving to one entry share its rate; a default applies to each separately', async (t) => {
  const src = source();
  src.set('alice', undefined, 'producer_byte_rate', 100);
  src.set(null, undefined, 'producer_byte_rate', 100);
  const m = new ClientQuotaManager('producer_byte_rate', WINDOW, () => src);
  t.equal(m.recordAndGetThrottleMs('alice', 'one', 1000, 0), 0);
  t.ok(m.recordAndGetThrottleMs('alice', 'two', 1000, 0) > 0, "alice's clients share her quota");
  t.equal(m.recordAndGetThrottleMs('bob', 'one', 1000, 0), 0, 'bob has his own rate under the default');
  t.equal(m.recordAndGetThrottleMs('carol', 'one', 1000, 0), 0, 'and so has carol');
  t.same(m.resolve('bob', 'one'), { userTag: 'bob', clientIdTag: '', limit: 100 });
  m.unrecord('alice', 'two', 1000, 0);
  t.equal(m.recordAndGetThrottleMs('alice', 'three', 0, 0), 0, 'unrecorded bytes no longer count');
  src.set('alice', undefined, 'producer_byte_rate', 1000);
  t.equal(m.recordAndGetThrottleMs('alice', 'one', 5000, 0), 0, 'a changed quota applies at once');
});

t.test('the token bucket refills at the rate up to samples × window × rate', async (t) => {
  const bucket = new TokenBucket(WINDOW);
  t.equal(bucket.measure(10, 1_000_000), 110, 'full burst');
  bucket.record(150, 10, 1_000_000);
  t.equal(bucket.measure(10, 1_000_000), -40);
  t.equal(bucket.measure(10, 1_004_000), 0, 'refilled at 10 per second');
});

t.test(
  'all-or-nothing fetches get less than the quota when large, as on Kafka (a lump holds the rate up until it expires)',
  async (t) => {
    const steadyRate = (samples: number, fetchBytes: number): number => {
      const src = source();
      src.set(undefined, 'c', 'consumer_byte_rate', 100_000);
      const fetch = new ClientQuotaManager('consumer_byte_rate', { samples, windowMs: 1000 }, () => src);
      const warmup = samples * 1000 + 2000;
      let now = 0;
      let got = 0;
      while (now < warmup + 20_000) {
        const throttle = fetch.recordAndGetThrottleMs('u', 'c', fetchBytes, now);
        if (throttle > 0) fetch.unrecord('u', 'c', fetchBytes, now);
        else if (now >= warmup) got += fetchBytes;
        now += throttle + 3;
      }
      return got / 20;
    };
    const small = steadyRate(2, 16_384);
    t.ok(small > 85_000 && small <= 100_000, `2 samples, 16 KiB fetches: ${Math.round(small)} B/s`);
    const large = steadyRate(11, 60_000);
    t.ok(large < 70_000, `11 samples, 60 KB fetches: ${Math.round(large)} B/s`);
  },
);
