import t from 'tap';
import { assertLegalTransition, transitionRule, type EpochState, type StateKind } from './epoch-state.js';
import { IllegalStateTransitionError } from './errors.js';

const ME = 1;
const s = (kind: StateKind, epoch: number, leaderId = -1, votedId = -1): EpochState => ({
  kind,
  epoch,
  leaderId,
  votedId,
});

t.test('legal transitions pass', async (t) => {
  const legal: [EpochState, EpochState][] = [
    [s('unattached', 0), s('voted', 0, -1, 2)],
    [s('unattached', 0), s('prospective', 0)],
    [s('unattached', 0), s('candidate', 1, -1, ME)],
    [s('unattached', 3), s('follower', 3, 2)],
    [s('voted', 2, -1, 3), s('follower', 2, 3, 3)],
    [s('voted', 2, -1, 3), s('unattached', 5)],
    [s('prospective', 2), s('candidate', 3, -1, ME)],
    [s('prospective', 2), s('prospective', 2)],
    [s('candidate', 3, -1, ME), s('leader', 3, ME, ME)],
    [s('candidate', 3, -1, ME), s('follower', 3, 2, ME)],
    [s('candidate', 3, -1, ME), s('candidate', 4, -1, ME)],
    [s('leader', 3, ME, ME), s('resigned', 3, ME, ME)],
    [s('leader', 3, ME, ME), s('follower', 4, 2)],
    [s('follower', 3, 2), s('candidate', 4, -1, ME)],
    [s('follower', 3, 2), s('follower', 4, 3)],
    [s('resigned', 3, ME, ME), s('candidate', 4, -1, ME)],
  ];
  for (const [from, to] of legal) {
    t.doesNotThrow(() => assertLegalTransition(from, to, ME), `${from.kind}@${from.epoch} -> ${to.kind}@${to.epoch}`);
  }
});

t.test('illegal transitions throw', async (t) => {
  const illegal: [EpochState, EpochState, string][] = [
    [s('leader', 3, ME, ME), s('candidate', 4, -1, ME), 'leader cannot become candidate'],
    [s('follower', 3, 2), s('leader', 3, ME, ME), 'only a candidate becomes leader'],
    [s('unattached', 3), s('leader', 3, ME, ME), 'only a candidate becomes leader'],
    [s('voted', 3, -1, 2), s('voted', 3, -1, 4), 'one vote per epoch'],
    [s('candidate', 3, -1, ME), s('candidate', 3, -1, ME), 'candidate must bump the epoch'],
    [s('candidate', 3, -1, ME), s('candidate', 5, -1, ME), 'candidate bumps by exactly one'],
    [s('leader', 3, ME, ME), s('follower', 3, 2), 'two leaders in one epoch'],
    [s('follower', 3, 2), s('follower', 3, 4), 'one leader per epoch'],
    [s('follower', 3, 2), s('resigned', 3, ME, ME), 'only a leader resigns'],
    [s('unattached', 5), s('unattached', 4), 'epoch goes back'],
    [s('unattached', 5), s('unattached', 5), 'unattached needs a new epoch'],
    [s('follower', 5, 2), s('unattached', 4), 'epoch goes back'],
    [s('unattached', 5), s('follower', 5, ME), 'cannot follow itself'],
    [s('unattached', 5), s('candidate', 6, -1, 2), 'candidate votes for itself'],
    [s('resigned', 3, ME, ME), s('leader', 3, ME, ME), 'resigned cannot lead again'],
  ];
  for (const [from, to, why] of illegal) {
    t.throws(() => assertLegalTransition(from, to, ME), IllegalStateTransitionError, why);
  }
});

t.test('the table has the documented shape', async (t) => {
  t.equal(transitionRule('leader', 'resigned'), 'same');
  t.equal(transitionRule('candidate', 'leader'), 'same');
  t.equal(transitionRule('leader', 'candidate'), undefined);
  t.equal(transitionRule('resigned', 'leader'), undefined);
  t.equal(transitionRule('follower', 'candidate'), 'next');
  const kinds: StateKind[] = ['unattached', 'voted', 'prospective', 'candidate', 'leader', 'follower', 'resigned'];
  const intoLeader = kinds.filter((k) => transitionRule(k, 'leader') !== undefined);
  t.same(intoLeader, ['candidate']);
});
