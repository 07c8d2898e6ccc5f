/**
 * The broker's loggers as a BROKER_LOGGER config resource: Gregor has one logger
 * (pino), reported as log4j's "root" with its level in log4j names. Changing levels
 * through IncrementalAlterConfigs is left out.
 */
import type { Logger } from '../common/logger.js';
import { ConfigSource } from '../metadata/topic-configs.js';
import type { ConfigEntry } from './config-describe.js';

const LOG4J_LEVEL: Readonly<Record<string, string>> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'FATAL',
  silent: 'OFF',
};

export function loggerEntries(log: Logger): ConfigEntry[] {
  return [
    {
      name: 'root',
      value: LOG4J_LEVEL[log.level] ?? 'INFO',
      source: ConfigSource.DYNAMIC_BROKER_LOGGER_CONFIG,
      readOnly: false,
      isSensitive: false,
      synonyms: [],
      configType: 0,
      documentation: null,
    },
  ];
}
