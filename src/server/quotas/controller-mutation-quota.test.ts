/** controller_mutation_rate on injected time: Kafka's token bucket, strict and permissive quotas, throttle times. */
import t from 'tap';
import { applyClientQuotaRecord, type ClientQuotaEntry } from '../../metadata/client-quotas.js';
import { ControllerMutationQuotas } from './controller-mutation-quota.js';
import type { QuotaSource } from './client-quota-manager.js';

const WINDOW = { samples: 11, windowMs: 1000 };
/** Far from 0, so that a new bucket starts full, as it does on the system clock. */
const T0 = 1_000_000;

function sourceWith(entries: Array<[string | null, number]>): QuotaSource {
  const clientQuotas = new Map<string, ClientQuotaEntry>();
  for (const [user, rate] of entries)
    applyClientQuotaRecord(clientQuotas, {
      entity: [{ entityType: 'user', entityName: user }],
      key: 'controller_mutation_rate',
      value: rate,
      remove: false,
    });
  return { clientQuotas, clientQuotasVersion: 1 };
}

t.test('strict: accepted while the bucket is not below zero, then refused with the time to refill', async (t) => {
  const quotas = new ControllerMutationQuotas(WINDOW, () => sourceWith([['alice', 2]]));
  // burst: 11 windows × 1 s × 2/s = 22 partitions
  const q = quotas.quotaFor('alice', 'admin', true);
  t.equal(q.record(20, T0), 0, '20 of the 22 tokens');
  t.equal(q.throttleMs(T0), 0, 'no throttle within the quota');
  t.equal(q.record(10, T0), 0, 'a mutation that finds tokens left is accepted whole, going below zero');
  t.equal(q.throttleMs(T0), 0, 'strict: the throttle comes from a refusal');
  const refused = q.record(1, T0);
  t.equal(refused, 4000, 'refused: 8 tokens short at 2/s is 4 s');
  t.equal(q.throttleMs(T0 + 1500), 2500, 'the throttle answered shrinks with the time since');
  const next = quotas.quotaFor('alice', 'admin', true);
  t.equal(next.record(1, T0 + 3000), 1000, 'still short two tokens 3 s later');
  t.equal(next.record(1, T0 + 4000), 0, 'back at zero after 4 s: accepted');
});

t.test('permissive: always accepted, the throttle says how long until the bucket is back at zero', async (t) => {
  const quotas = new ControllerMutationQuotas(WINDOW, () => sourceWith([['alice', 2]]));
  const q = quotas.quotaFor('alice', 'admin', false);
  t.equal(q.record(30, T0), 0);
  t.equal(q.record(10, T0), 0, 'not refused');
  t.equal(q.throttleMs(T0), 9000, '18 tokens short at 2/s');
});

t.test('the bucket is shared by the requests of one entity and refills to at most the burst', async (t) => {
  const quotas = new ControllerMutationQuotas(WINDOW, () => sourceWith([[null, 1]]));
  t.equal(quotas.quotaFor('alice', 'a', true).record(11, T0), 0, 'the default user quota: 11 tokens');
  t.equal(quotas.quotaFor('alice', 'b', true).record(1, T0), 0, 'at zero: accepted');
  t.ok(quotas.quotaFor('alice', 'c', true).record(1, T0) > 0, 'alice, any client id: below zero, refused');
  t.equal(quotas.quotaFor('bob', 'a', true).record(11, T0), 0, 'bob has his own bucket');
  t.equal(quotas.quotaFor('carol', 'a', true).record(1, T0 + 3_600_000), 0);
  const tokens = quotas.snapshot(T0 + 3_600_000).find((s) => s.user === 'carol')?.tokens;
  t.equal(tokens, 10, 'a long idle bucket holds the burst (11), not more');
});

t.test('clients without a controller_mutation_rate are not limited', async (t) => {
  const quotas = new ControllerMutationQuotas(WINDOW, () => sourceWith([['alice', 1]]));
  const q = quotas.quotaFor('bob', 'x', true);
  for (let i = 0; i < 5; i++) t.equal(q.record(1000, T0), 0);
  t.equal(q.throttleMs(T0), 0);
  t.same(quotas.snapshot(T0), [], 'no bucket made');
});
