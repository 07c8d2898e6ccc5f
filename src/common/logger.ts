/**
 * pino logging: JSON lines, pretty on a TTY, silent when asked (embedded use in tests).
 * Pretty printing runs in-process through pino-pretty's stream, loaded only on a TTY,
 * so a broker started by a script or a container loads nothing for it.
 */
import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(options: { level?: string; pretty?: boolean } = {}): Logger {
  const level = options.level ?? process.env.GREGOR_LOG_LEVEL ?? 'info';
  const pretty = options.pretty ?? process.stdout.isTTY === true;
  if (pretty && level !== 'silent') {
    const pinoPretty = createRequire(import.meta.url)('pino-pretty') as (o: object) => NodeJS.WritableStream;
    return pino({ level }, pinoPretty({ colorize: true, translateTime: 'HH:MM:ss.l', sync: true }));
  }
  return pino({ level });
}
