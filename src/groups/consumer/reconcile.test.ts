import t from 'tap';
import fc from 'fast-check';
import { assertDisjoint, consumerHarness, SimMember } from '../../../test/helpers/consumer-groups.js';

type Step =
  | { op: 'beat'; who: number }
  | { op: 'hold'; who: number; on: boolean }
  | { op: 'join' }
  | { op: 'leave'; who: number }
  | { op: 'partitions'; n: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ op: fc.constant('beat' as const), who: fc.nat(5) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('hold' as const), who: fc.nat(5), on: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('join' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('leave' as const), who: fc.nat(5) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('partitions' as const), n: fc.integer({ min: 1, max: 12 }) }) },
);

t.test(
  'any order of heartbeats, joins, leaves, slow revocations and new partitions: no partition ever owned twice; the group then settles',
  async () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), fc.constantFrom('uniform', 'range'), (steps, assignor) => {
        const h = consumerHarness();
        h.topics.add('t', 5);
        let partitions = 5;
        const members: SimMember[] = [];
        const live = (): SimMember[] => members.filter((m) => m.memberId !== '' && m.epoch >= 0);
        for (const s of steps) {
          const alive = live();
          const pick = (i: number): SimMember | undefined => alive[i % Math.max(1, alive.length)];
          if (s.op === 'join' && alive.length < 6) {
            const m = new SimMember(h, ['t'], { serverAssignor: assignor });
            m.join();
            members.push(m);
          } else if (s.op === 'beat') {
            pick(s.who)?.heartbeat();
          } else if (s.op === 'hold') {
            const m = pick(s.who);
            if (m) m.holdRevocations = s.on;
          } else if (s.op === 'leave') {
            const m = pick(s.who);
            if (m) {
              m.leave();
              m.epoch = -1;
              m.owned = new Map();
            }
          } else if (s.op === 'partitions' && s.n > partitions) {
            partitions = s.n;
            h.topics.add('t', partitions);
          }
          assertDisjoint(live());
        }
        // Everyone cooperates from now on: the group must become Stable with every partition owned once.
        const alive = live();
        for (const m of alive) m.holdRevocations = false;
        for (let round = 0; round < 6; round++) {
          for (const m of alive) {
            m.heartbeat();
            assertDisjoint(alive);
          }
        }
        const g = h.coordinator.consumer.admin.get('g');
        if (alive.length === 0) return true;
        if (g?.state !== 'Stable') throw new Error(`group not stable: ${g?.state}`);
        const owned = alive.reduce((sum, m) => sum + m.ownedCount(), 0);
        if (owned !== partitions) throw new Error(`owned ${owned} of ${partitions}`);
        return true;
      }),
      { numRuns: 150 },
    );
  },
);
