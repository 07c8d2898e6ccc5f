/** The errors of the group coordinator. */

export class IllegalGroupTransitionError extends Error {
  override readonly name = 'IllegalGroupTransitionError';
}
