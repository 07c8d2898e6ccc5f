/**
 * Named loggers with levels that change at run time, as Kafka's log4j loggers do through
 * BROKER_LOGGER configs: each module logs through a pino child named like Kafka's logger
 * (`kafka.server`, `kafka.raft`, ...); a logger without a level of its own takes the one of
 * its closest dotted ancestor, and finally the root's. Levels use log4j's names
 * (TRACE, DEBUG, INFO, WARN, ERROR, FATAL, OFF; ALL is TRACE). Changes are not persisted,
 * as in Kafka. Start-up levels: `log4j.root.loglevel` and `log4j.loggers` (name=LEVEL,...),
 * which the Confluent image's KAFKA_LOG4J_ROOT_LOGLEVEL / KAFKA_LOG4J_LOGGERS map to.
 */
import type { Logger } from './logger.js';

export const ROOT_LOGGER = 'root';

const PINO_LEVEL: Readonly<Record<string, string>> = {
  ALL: 'trace',
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
  FATAL: 'fatal',
  OFF: 'silent',
};
const LOG4J_LEVEL: Readonly<Record<string, string>> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'FATAL',
  silent: 'OFF',
};

/** The pino level of a log4j level name (any case), or undefined when it is not one. */
export function pinoLevel(log4jLevel: string): string | undefined {
  return PINO_LEVEL[log4jLevel.toUpperCase()];
}

export const LOG4J_LEVELS = Object.keys(PINO_LEVEL);

export class LogLevels {
  private readonly loggers = new Map<string, Logger>();
  /** Levels set explicitly (log4j names), by logger name; root always has one. */
  private readonly explicit = new Map<string, string>();

  constructor(private readonly root: Logger) {
    this.explicit.set(ROOT_LOGGER, LOG4J_LEVEL[root.level] ?? 'INFO');
  }

  /** The logger `name` (created on first use), at its effective level. */
  logger(name: string): Logger {
    if (name === ROOT_LOGGER) return this.root;
    let child = this.loggers.get(name);
    if (child === undefined) {
      child = this.root.child({ logger: name });
      this.loggers.set(name, child);
      child.level = pinoLevel(this.effective(name))!;
    }
    return child;
  }

  has(name: string): boolean {
    return name === ROOT_LOGGER || this.loggers.has(name);
  }

  /** The log4j level in force for `name`: its own, else its closest ancestor's, else root's. */
  effective(name: string): string {
    for (let n = name; ;) {
      const own = this.explicit.get(n);
      if (own !== undefined) return own;
      const dot = n.lastIndexOf('.');
      if (dot < 0) return this.explicit.get(ROOT_LOGGER)!;
      n = n.slice(0, dot);
    }
  }

  /** Sets a level (a log4j name; throws RangeError for anything else) and re-levels the loggers it reaches. */
  set(name: string, log4jLevel: string): void {
    const level = log4jLevel.toUpperCase();
    if (pinoLevel(level) === undefined)
      throw new RangeError(`${log4jLevel} is not a valid log level: one of ${LOG4J_LEVELS.join(', ')}`);
    this.explicit.set(name, level === 'ALL' ? 'TRACE' : level);
    this.relevel();
  }

  /** Drops a logger's own level, so it follows its ancestors again (root keeps one). */
  unset(name: string): void {
    if (name === ROOT_LOGGER) throw new RangeError('Removing the log level of the root logger is not allowed');
    this.explicit.delete(name);
    this.relevel();
  }

  private relevel(): void {
    this.root.level = pinoLevel(this.explicit.get(ROOT_LOGGER)!)!;
    for (const [name, child] of this.loggers) child.level = pinoLevel(this.effective(name))!;
  }

  /** Every logger with its effective level, root first, then by name. */
  describe(): Array<{ name: string; level: string }> {
    const names = [...this.loggers.keys()].sort();
    return [
      { name: ROOT_LOGGER, level: this.effective(ROOT_LOGGER) },
      ...names.map((name) => ({ name, level: this.effective(name) })),
    ];
  }
}

/** Applies `log4j.root.loglevel` and `log4j.loggers` (name=LEVEL,...); returns the first problem, or null. */
export function applyStartupLevels(
  levels: LogLevels,
  rootLevel: string | undefined,
  loggers: readonly string[],
): string | null {
  try {
    if (rootLevel !== undefined && rootLevel !== '') levels.set(ROOT_LOGGER, rootLevel);
    for (const entry of loggers) {
      const eq = entry.indexOf('=');
      if (eq <= 0) return `Invalid value ${entry} in log4j.loggers: expected name=LEVEL`;
      levels.set(entry.slice(0, eq).trim(), entry.slice(eq + 1).trim());
    }
  } catch (err) {
    return (err as Error).message;
  }
  return null;
}
