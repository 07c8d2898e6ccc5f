/**
 * The states of a Raft node (after Kafka's QuorumState) and the table of legal transitions, checked
 * on every change. Each state carries its epoch, the leader it knows (-1 if none) and its vote in
 * that epoch (-1 if none): exactly what the quorum-state file persists.
 *
 *   from \ to     Unattached Voted Prospective Candidate Leader Follower Resigned
 *   Unattached      E>         E>=*   E=          E+1        -      E>=       -
 *   Voted           E>         E>     E=          E+1        -      E>=       -
 *   Prospective     E>         E>=*   E=          E+1        -      E>=       -
 *   Candidate       E>         E>     E=          E+1        E=     E>=       -
 *   Leader          E>         E>     -           -          -      E>        E=
 *   Follower        E>         E>     E=          E+1        -      E>        -
 *   Resigned        E>         E>     E=          E+1        -      E>        -
 *
 * E> : the new epoch must be higher; E>= : equal or higher; E= : same epoch; E+1 : exactly one higher.
 * * : to Voted in the same epoch only if no vote was cast in it yet.
 * Leaves out: the timers and per-role bookkeeping (the collaborators own them; transitions.ts sets them
 * up and clears them around each change).
 */
import { IllegalStateTransitionError } from './errors.js';
import { NO_NODE } from './types.js';

export type StateKind = 'unattached' | 'voted' | 'prospective' | 'candidate' | 'leader' | 'follower' | 'resigned';

export interface EpochState {
  readonly kind: StateKind;
  readonly epoch: number;
  readonly leaderId: number;
  readonly votedId: number;
}

type EpochRule = 'higher' | 'higherOrSame' | 'same' | 'next';

const TRANSITIONS: Readonly<Record<StateKind, Partial<Record<StateKind, EpochRule>>>> = {
  unattached: {
    unattached: 'higher',
    voted: 'higherOrSame',
    prospective: 'same',
    candidate: 'next',
    follower: 'higherOrSame',
  },
  voted: { unattached: 'higher', voted: 'higher', prospective: 'same', candidate: 'next', follower: 'higherOrSame' },
  prospective: {
    unattached: 'higher',
    voted: 'higherOrSame',
    prospective: 'same',
    candidate: 'next',
    follower: 'higherOrSame',
  },
  candidate: {
    unattached: 'higher',
    voted: 'higher',
    prospective: 'same',
    candidate: 'next',
    leader: 'same',
    follower: 'higherOrSame',
  },
  leader: { unattached: 'higher', voted: 'higher', follower: 'higher', resigned: 'same' },
  follower: { unattached: 'higher', voted: 'higher', prospective: 'same', candidate: 'next', follower: 'higher' },
  resigned: { unattached: 'higher', voted: 'higher', prospective: 'same', candidate: 'next', follower: 'higher' },
};

/** The epoch rule for a transition, or undefined when the table has no such edge. */
export function transitionRule(from: StateKind, to: StateKind): EpochRule | undefined {
  return TRANSITIONS[from][to];
}

function epochOk(rule: EpochRule, from: number, to: number): boolean {
  switch (rule) {
    case 'higher':
      return to > from;
    case 'higherOrSame':
      return to >= from;
    case 'same':
      return to === from;
    case 'next':
      return to === from + 1;
  }
}

/** Throws IllegalStateTransitionError unless `from -> to` is in the table and keeps its epoch rule and fields consistent. */
export function assertLegalTransition(from: EpochState, to: EpochState, localId: number): void {
  const fail = (why: string): never => {
    throw new IllegalStateTransitionError(
      `node ${localId}: ${from.kind}(epoch ${from.epoch}) -> ${to.kind}(epoch ${to.epoch}): ${why}`,
    );
  };
  const rule = transitionRule(from.kind, to.kind);
  if (rule === undefined) fail('no such transition');
  else if (!epochOk(rule, from.epoch, to.epoch)) fail(`epoch rule '${rule}' broken`);
  if (to.kind === 'voted' && to.epoch === from.epoch && from.votedId !== NO_NODE) fail('already voted in this epoch');
  if (to.kind === 'voted' && to.votedId === NO_NODE) fail('voted state without a vote');
  if ((to.kind === 'candidate' || to.kind === 'leader' || to.kind === 'resigned') && to.votedId !== localId) {
    fail('a candidate or leader votes for itself');
  }
  if ((to.kind === 'leader' || to.kind === 'resigned') && to.leaderId !== localId)
    fail('leader id must be the local id');
  if (to.kind === 'follower' && (to.leaderId === NO_NODE || to.leaderId === localId))
    fail('follower needs another node as leader');
  if ((to.kind === 'unattached' || to.kind === 'voted' || to.kind === 'candidate') && to.leaderId !== NO_NODE) {
    fail('no leader is known in this state');
  }
  if (to.kind === 'prospective' && to.votedId !== from.votedId) fail('prospective keeps the vote of its epoch');
  if (to.kind === 'unattached' && to.votedId !== NO_NODE) fail('unattached has no vote');
}
