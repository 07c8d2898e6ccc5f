/**
 * The broker's loggers as a BROKER_LOGGER config resource, as Kafka serves its log4j
 * loggers: DescribeConfigs lists root and every named logger (`kafka.server`,
 * `kafka.raft`, `kafka.network`, `kafka.coordinator.group`, ...) with its effective level;
 * IncrementalAlterConfigs SET gives one a level, DELETE makes it follow its ancestors again.
 * Changes apply to this node only and are not persisted, as in Kafka.
 * Checks, as Kafka's: APPEND/SUBTRACT INVALID_REQUEST, an unknown logger or level
 * INVALID_CONFIG, DELETE of root INVALID_REQUEST.
 */
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { Logger } from '../common/logger.js';
import { LOG4J_LEVELS, LogLevels, pinoLevel, ROOT_LOGGER } from '../common/log-levels.js';
import { AlterConfigOp, type ConfigOperation } from '../metadata/controller.js';
import { ConfigSource } from '../metadata/topic-configs.js';
import type { ConfigEntry } from './config-describe.js';

function entry(name: string, level: string): ConfigEntry {
  return {
    name,
    value: level,
    source: ConfigSource.DYNAMIC_BROKER_LOGGER_CONFIG,
    readOnly: false,
    isSensitive: false,
    synonyms: [],
    configType: 0,
    documentation: null,
  };
}

/** Root and every named logger with its effective level; only root when the broker has no LogLevels. */
export function loggerEntries(levels: LogLevels | undefined, root: Logger): ConfigEntry[] {
  if (levels === undefined) return [entry(ROOT_LOGGER, new LogLevels(root).effective(ROOT_LOGGER))];
  return levels.describe().map((l) => entry(l.name, l.level));
}

/** Validates and (unless validateOnly) applies logger level changes; null when they all apply. */
export function alterLoggerLevels(
  levels: LogLevels,
  ops: readonly ConfigOperation[],
  validateOnly: boolean,
): { errorCode: number; errorMessage: string } | null {
  for (const o of ops) {
    if (o.op !== AlterConfigOp.SET && o.op !== AlterConfigOp.DELETE) {
      return {
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: `Operation ${o.op} is not allowed for the BROKER_LOGGER resource`,
      };
    }
    if (!levels.has(o.name))
      return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: `Logger ${o.name} does not exist!` };
    if (o.op === AlterConfigOp.DELETE && o.name === ROOT_LOGGER) {
      return {
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: 'Removing the log level of the root logger is not allowed',
      };
    }
    if (o.op === AlterConfigOp.SET && (o.value === null || pinoLevel(o.value) === undefined)) {
      return {
        errorCode: ErrorCode.INVALID_CONFIG,
        errorMessage: `Cannot set the log level of ${o.name} to ${o.value} as it is not a supported log level. Valid log levels are ${LOG4J_LEVELS.join(', ')}`,
      };
    }
  }
  if (validateOnly) return null;
  for (const o of ops) {
    if (o.op === AlterConfigOp.SET) levels.set(o.name, o.value!);
    else levels.unset(o.name);
  }
  return null;
}
