import t from 'tap';
import fc from 'fast-check';
import { assignmentSize, type Assignment } from './assignment.js';
import { rangeAssignor, uniformAssignor, type AssignorMember, type AssignorTopic } from './assignors.js';

const topicsOf = (counts: number[]): Map<string, AssignorTopic> =>
  new Map(counts.map((n, i) => [`T${i}`, { topicId: `T${i}`, name: `t${i}`, numPartitions: n }]));

function members(
  n: number,
  subscriptions: (i: number) => string[],
  previous: Map<string, Assignment> = new Map(),
): AssignorMember[] {
  return Array.from({ length: n }, (_, i) => ({
    memberId: `m${i}`,
    instanceId: null,
    subscribedTopicIds: new Set(subscriptions(i)),
    previous: previous.get(`m${i}`) ?? new Map(),
  }));
}

/** Every subscribed partition assigned exactly once, only to a member subscribed to its topic. */
function checkComplete(
  result: Map<string, Assignment>,
  ms: readonly AssignorMember[],
  topics: Map<string, AssignorTopic>,
): void {
  const seen = new Set<string>();
  for (const m of ms) {
    for (const [topic, parts] of result.get(m.memberId)!) {
      if (!m.subscribedTopicIds.has(topic)) throw new Error(`${m.memberId} got unsubscribed ${topic}`);
      for (const p of parts) {
        const k = `${topic}:${p}`;
        if (seen.has(k)) throw new Error(`${k} assigned twice`);
        if (p < 0 || p >= topics.get(topic)!.numPartitions) throw new Error(`${k} does not exist`);
        seen.add(k);
      }
    }
  }
  for (const t of topics.values()) {
    if (!ms.some((m) => m.subscribedTopicIds.has(t.topicId))) continue;
    for (let p = 0; p < t.numPartitions; p++)
      if (!seen.has(`${t.topicId}:${p}`)) throw new Error(`${t.topicId}:${p} unassigned`);
  }
}

const homogeneous = fc.record({
  counts: fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 4 }),
  members: fc.integer({ min: 1, max: 8 }),
});

t.test('uniform: identical subscriptions are complete and balanced within one partition', async () => {
  fc.assert(
    fc.property(homogeneous, ({ counts, members: n }) => {
      const topics = topicsOf(counts);
      const ms = members(n, () => [...topics.keys()]);
      const result = uniformAssignor(ms, topics);
      checkComplete(result, ms, topics);
      const sizes = ms.map((m) => assignmentSize(result.get(m.memberId)!));
      return Math.max(...sizes) - Math.min(...sizes) <= 1;
    }),
    { numRuns: 300 },
  );
});

t.test(
  'uniform: sticky — a stable group is unchanged, a joining member only takes from others, a leaver only gives',
  async () => {
    fc.assert(
      fc.property(homogeneous, ({ counts, members: n }) => {
        const topics = topicsOf(counts);
        const all = (): string[] => [...topics.keys()];
        const first = uniformAssignor(members(n, all), topics);
        const again = uniformAssignor(members(n, all, first), topics);
        for (const [m, a] of first)
          if (
            assignmentSize(a) !== assignmentSize(again.get(m)!) ||
            ![...a].every(([tp, ps]) => [...ps].every((p) => again.get(m)!.get(tp)?.has(p)))
          )
            return false;
        // One more member: the old members keep a subset of what they had.
        const grown = uniformAssignor(members(n + 1, all, first), topics);
        for (const [m, a] of first)
          for (const [tp, ps] of grown.get(m)!) for (const p of ps) if (!a.get(tp)?.has(p)) return false;
        // The last member leaves: the others keep everything they had.
        const shrunk = uniformAssignor(members(n + 1, all, grown).slice(0, n), topics);
        for (let i = 0; i < n; i++)
          for (const [tp, ps] of grown.get(`m${i}`)!)
            for (const p of ps) if (!shrunk.get(`m${i}`)!.get(tp)?.has(p)) return false;
        return true;
      }),
      { numRuns: 200 },
    );
  },
);

t.test(
  'uniform: different subscriptions are complete; no partition could move to a member holding two fewer',
  async () => {
    const arb = fc.record({
      counts: fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 1, maxLength: 4 }),
      subs: fc.array(fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 6 }),
    });
    fc.assert(
      fc.property(arb, ({ counts, subs }) => {
        const topics = topicsOf(counts);
        const ms = members(subs.length, (i) => [...topics.keys()].filter((_, k) => subs[i]![k]));
        const result = uniformAssignor(ms, topics);
        checkComplete(result, ms, topics);
        for (const a of ms) {
          for (const b of ms) {
            const sa = assignmentSize(result.get(a.memberId)!);
            const sb = assignmentSize(result.get(b.memberId)!);
            if (sa < sb + 2) continue;
            for (const topic of result.get(a.memberId)!.keys()) if (b.subscribedTopicIds.has(topic)) return false;
          }
        }
        return true;
      }),
      { numRuns: 300 },
    );
  },
);

t.test(
  'range: per topic, each member gets one contiguous range, sizes within one, extra to the first members',
  async () => {
    const arb = fc.record({
      counts: fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 4 }),
      subs: fc.array(fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 6 }),
    });
    fc.assert(
      fc.property(arb, ({ counts, subs }) => {
        const topics = topicsOf(counts);
        const ms = members(subs.length, (i) => [...topics.keys()].filter((_, k) => subs[i]![k]));
        const result = rangeAssignor(ms, topics);
        checkComplete(result, ms, topics);
        for (const topic of topics.values()) {
          const subscribers = ms.filter((m) => m.subscribedTopicIds.has(topic.topicId));
          let next = 0;
          for (const [i, m] of subscribers.entries()) {
            const parts = [...(result.get(m.memberId)!.get(topic.topicId) ?? [])].sort((x, y) => x - y);
            const expected =
              Math.floor(topic.numPartitions / subscribers.length) +
              (i < topic.numPartitions % subscribers.length ? 1 : 0);
            if (parts.length !== expected) return false;
            for (const p of parts) if (p !== next++) return false;
          }
        }
        return true;
      }),
      { numRuns: 300 },
    );
  },
);

t.test('range: co-partitioned topics line up', async (t) => {
  const topics = topicsOf([6, 6]);
  const result = rangeAssignor(
    members(3, () => ['T0', 'T1']),
    topics,
  );
  for (const a of result.values()) t.same([...a.get('T0')!], [...a.get('T1')!]);
  t.same([...result.get('m0')!.get('T0')!], [0, 1]);
});
