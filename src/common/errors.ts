/** The errors shared by every layer: configuration and start-up. */

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * A start-up failure the operator can act on (a locked log dir, meta.properties that
 * belong to another cluster or node): the CLI prints its message as one line and exits
 * with 1, without a stack trace.
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}
