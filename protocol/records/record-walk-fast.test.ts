import t from 'tap';
import { encodeRecords } from './batch-encode.js';
import type { RecordInput } from './record.js';
import { walkRecords, walkRecordsFully, type RecordRules, type RecordWalkResult } from './record-walk.js';
import { UNUSUAL, walkPlainRecords } from './record-walk-fast.js';
import { TimestampType } from './batch-header.js';

/** A small seeded generator (xorshift32), so a failing case can be replayed from its seed. */
function generator(seed: number): { int(min: number, max: number): number; chance(p: number): boolean } {
  let x = seed >>> 0 || 1;
  const next = (): number => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
  return { int: (min, max) => min + Math.floor(next() * (max - min + 1)), chance: (p) => next() < p };
}

const BASE_TIMESTAMP = 1_700_000_000_000;

function randomRecords(r: ReturnType<typeof generator>): RecordInput[] {
  const count = r.int(0, 40);
  const shuffled = r.chance(0.1);
  const records: RecordInput[] = [];
  for (let i = 0; i < count; i++) {
    const size = (): number => (r.chance(0.2) ? r.int(0, 2) : r.chance(0.9) ? r.int(0, 200) : r.int(8000, 20000));
    const delta = r.chance(0.7) ? r.int(0, 100) : r.chance(0.5) ? r.int(-5000, 50000) : r.int(-2e12, 2e12);
    records.push({
      key: r.chance(0.3) ? null : Buffer.alloc(size(), 7),
      value: r.chance(0.1) ? null : Buffer.alloc(size(), 9),
      headers: r.chance(0.15) ? [{ key: 'h', value: r.chance(0.5) ? null : Buffer.from('v') }] : [],
      timestamp: r.chance(0.05) ? -1n : BigInt(BASE_TIMESTAMP + delta),
      offsetDelta: shuffled ? r.int(0, count) : r.chance(0.02) ? r.int(0, 300_000) : i,
    });
  }
  return records;
}

function mutate(payload: Buffer, r: ReturnType<typeof generator>): Buffer {
  const roll = r.int(0, 9);
  if (roll < 5 || payload.length === 0) return payload;
  const copy = Buffer.from(payload);
  if (roll === 5) return copy.subarray(0, r.int(0, copy.length - 1));
  if (roll === 6) return Buffer.concat([copy, Buffer.from([r.int(0, 255)])]);
  for (let i = r.int(1, 3); i > 0; i--) copy[r.int(0, copy.length - 1)] = r.int(0, 255);
  return copy;
}

function randomRules(r: ReturnType<typeof generator>): RecordRules {
  const wide = r.chance(0.8);
  return {
    requireKey: r.chance(0.3),
    createTime: r.chance(0.8),
    minTimestamp: wide ? -Number.MAX_SAFE_INTEGER : BASE_TIMESTAMP - r.int(0, 1000),
    maxTimestamp: wide ? Number.MAX_SAFE_INTEGER : BASE_TIMESTAMP + r.int(0, 1000),
    partitionName: 't-0',
  };
}

function outcome(walk: () => RecordWalkResult): string {
  try {
    return JSON.stringify(walk());
  } catch (error) {
    return `throws ${(error as Error).message}`;
  }
}

t.test('the fast walk accepts only what the full walk accepts, with the same offset-delta answer', async (t) => {
  let decided = 0;
  let unusual = 0;
  let mismatches = 0;
  for (let seed = 1; seed <= 6000; seed++) {
    const r = generator(seed);
    const records = randomRecords(r);
    const payload = mutate(encodeRecords(records, BigInt(BASE_TIMESTAMP)), r);
    const count = r.chance(0.1) ? records.length + r.int(-1, 1) : records.length;
    const rules = randomRules(r);
    const batch = {
      baseOffset: 0n,
      baseTimestamp: BigInt(BASE_TIMESTAMP),
      maxTimestamp: BigInt(BASE_TIMESTAMP),
      timestampType: TimestampType.CREATE_TIME,
    };
    const fast = count < 0 ? UNUSUAL : walkPlainRecords(payload, count, { ...rules, baseTimestamp: BASE_TIMESTAMP });
    const full = outcome(() => walkRecordsFully(payload, count, batch, rules));
    if (fast === UNUSUAL) unusual++;
    else {
      decided++;
      const expected = JSON.stringify({ ruleErrors: null, offsetDeltasInOrder: fast === 1 });
      if (full !== expected) {
        mismatches++;
        if (mismatches <= 3) t.fail(`seed ${seed}: fast ${fast}, full ${full}`);
      }
    }
    // walkRecords (fast path first) answers exactly as the full walk, errors included.
    const combined = outcome(() => walkRecords(payload, count, batch, rules));
    if (combined !== full) t.fail(`seed ${seed}: walkRecords ${combined}, full ${full}`);
  }
  t.equal(mismatches, 0);
  t.ok(decided > 1000, `the fast path decided ${decided} cases`);
  t.ok(unusual > 1000, `and sent ${unusual} to the full walk`);
});

t.test('a LogAppendTime batch from a client always gets the full walk and its refusal', async (t) => {
  const payload = encodeRecords(
    [{ value: Buffer.from('v'), timestamp: BigInt(BASE_TIMESTAMP) }],
    BigInt(BASE_TIMESTAMP),
  );
  const rules = randomRules(generator(7));
  const batch = {
    baseOffset: 0n,
    baseTimestamp: BigInt(BASE_TIMESTAMP),
    maxTimestamp: BigInt(BASE_TIMESTAMP),
    timestampType: TimestampType.LOG_APPEND_TIME,
  };
  const result = walkRecords(payload, 1, batch, { ...rules, requireKey: false, createTime: false });
  t.equal(result.ruleErrors?.length, 1);
});
