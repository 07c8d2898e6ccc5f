/**
 * pino logging: JSON lines, pretty on a TTY, silent when asked (embedded use in tests).
 * Pretty printing runs in-process through pino-pretty's stream, loaded only on a TTY,
 * so a broker started by a script or a container loads nothing for it. A silent logger opens no
 * stream until a line is written.
 */
import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';
import { StartupError } from './startup-error.js';

export type { Logger };

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * The level: the option, else GREGOR_LOG_LEVEL (an empty one is unset), else info. An unknown
 * level is an error naming the variable (pino's own message names neither).
 */
function levelFrom(option: string | undefined): string {
  const level = option ?? (process.env.GREGOR_LOG_LEVEL || 'info');
  if (!LEVELS.includes(level))
    throw new StartupError(
      `invalid log level "${level}"${option === undefined ? ' in GREGOR_LOG_LEVEL' : ''} (expected one of ${LEVELS.join(', ')})`,
    );
  return level;
}

export function createLogger(options: { level?: string; pretty?: boolean } = {}): Logger {
  const level = levelFrom(options.level);
  const pretty = options.pretty ?? process.stdout.isTTY === true;
  if (pretty && level !== 'silent') {
    const pinoPretty = createRequire(import.meta.url)('pino-pretty') as (o: object) => NodeJS.WritableStream;
    return pino({ level }, pinoPretty({ colorize: true, translateTime: 'HH:MM:ss.l', sync: true }));
  }
  // A silent logger (startBroker()'s default) gets stdout's stream only if a level is raised later
  // (AlterConfigs on a broker logger): making process.stdout is a measurable part of a first start.
  return level === 'silent' ? pino({ level }, stdoutOnFirstLine()) : pino({ level });
}

/** pino's default destination (a SonicBoom on fd 1), made when the first line is written. */
function stdoutOnFirstLine(): { write(line: string): void } {
  let stream: { write(line: string): unknown } | undefined;
  return {
    write(line) {
      stream ??= pino.destination(1);
      stream.write(line);
    },
  };
}
