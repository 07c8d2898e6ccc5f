/**
 * The classic group's states and the only transitions allowed between them, as
 * Kafka's ClassicGroupState defines them. Every state change goes through
 * `checkTransition`, which throws on an illegal move (a coordinator bug, never a
 * client error).
 *
 *   from \ to            Empty  PreparingRebalance  CompletingRebalance  Stable  Dead
 *   Empty                  -          yes                   -              -      yes
 *   PreparingRebalance    yes          -                   yes             -      yes
 *   CompletingRebalance    -          yes                   -             yes     yes
 *   Stable                 -          yes                   -              -      yes
 *   Dead                   -           -                    -              -      yes
 *
 * A group loaded from `__consumer_offsets` starts as Empty (no members) or Stable.
 */
import { IllegalGroupTransitionError } from './errors.js';
export { IllegalGroupTransitionError };
export type ClassicGroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export const CLASSIC_GROUP_STATES: readonly ClassicGroupState[] = [
  'Empty',
  'PreparingRebalance',
  'CompletingRebalance',
  'Stable',
  'Dead',
];

/** For each target state, the states it may be entered from. */
export const VALID_PREVIOUS_STATES: Readonly<Record<ClassicGroupState, readonly ClassicGroupState[]>> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Empty', 'CompletingRebalance', 'Stable'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead'],
};

export function checkTransition(groupId: string, from: ClassicGroupState, to: ClassicGroupState): void {
  if (!VALID_PREVIOUS_STATES[to].includes(from)) {
    throw new IllegalGroupTransitionError(`group ${groupId}: illegal transition ${from} -> ${to}`);
  }
}
