/** The errors of the `gregor` command line (exit codes). */

/** A mistake in the command line: exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
