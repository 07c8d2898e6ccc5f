/**
 * Per-log configuration with Kafka's defaults, and parsing from Kafka property names
 * (`segment.bytes`, `retention.ms`, ...). Durations are milliseconds; -1 means unlimited
 * where Kafka says so. Leaves out: segment jitter, index size limits, preallocation and the cleaner's
 * min.cleanable.dirty.ratio (every pass cleans all inactive segments); none changes what a client
 * is guaranteed to read. docs/configuration.md says "no effect" for each.
 */
import { LogConfigError } from './errors.js';

export type TimestampType = 'CreateTime' | 'LogAppendTime';

export interface LogConfig {
  segmentBytes: number;
  segmentMs: number;
  indexIntervalBytes: number;
  retentionMs: number;
  retentionBytes: number;
  cleanupPolicyDelete: boolean;
  cleanupPolicyCompact: boolean;
  deleteRetentionMs: number;
  /** min.compaction.lag.ms: a record stays uncompacted at least this long (by its batch's max timestamp). */
  minCompactionLagMs: number;
  /** max.compaction.lag.ms: a compacted log's active segment rolls by then, so the cleaner reaches it. */
  maxCompactionLagMs: number;
  flushMessages: number;
  flushMs: number;
  messageTimestampType: TimestampType;
  /** file.delete.delay.ms: how long a deleted segment's `.deleted` files are kept (deferred-unlinks.ts). */
  fileDeleteDelayMs: number;
}

/** Kafka's Long.MAX_VALUE defaults for flush.* mean "never": we use the largest safe number. */
export const NEVER = Number.MAX_SAFE_INTEGER;

/** How old the active segment may get before it rolls: Kafka's maxSegmentMs (a compacted log rolls by max.compaction.lag.ms). */
export function maxSegmentMs(config: Readonly<LogConfig>): number {
  return config.cleanupPolicyCompact ? Math.min(config.maxCompactionLagMs, config.segmentMs) : config.segmentMs;
}

export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 3600 * 1000,
  indexIntervalBytes: 4096,
  retentionMs: 7 * 24 * 3600 * 1000,
  retentionBytes: -1,
  cleanupPolicyDelete: true,
  cleanupPolicyCompact: false,
  deleteRetentionMs: 24 * 3600 * 1000,
  minCompactionLagMs: 0,
  maxCompactionLagMs: NEVER,
  flushMessages: NEVER,
  flushMs: NEVER,
  messageTimestampType: 'CreateTime',
  fileDeleteDelayMs: 60_000,
});

function parseInteger(name: string, value: string, min: number): number {
  if (!/^-?\d+$/.test(value.trim())) throw new LogConfigError(`${name}: not an integer: ${value}`);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) return n > 0 ? NEVER : -NEVER;
  if (n < min) throw new LogConfigError(`${name}: ${n} is below ${min}`);
  return n;
}

/** Applies Kafka topic properties over a base config; unknown names are ignored. */
export function logConfigFromProperties(
  properties: Readonly<Record<string, string>>,
  base: Readonly<LogConfig> = DEFAULT_LOG_CONFIG,
): LogConfig {
  const config: LogConfig = { ...base };
  for (const [name, value] of Object.entries(properties)) {
    switch (name) {
      case 'segment.bytes':
        config.segmentBytes = parseInteger(name, value, 14);
        break;
      case 'segment.ms':
        config.segmentMs = parseInteger(name, value, 1);
        break;
      case 'index.interval.bytes':
        config.indexIntervalBytes = parseInteger(name, value, 0);
        break;
      case 'retention.ms':
        config.retentionMs = parseInteger(name, value, -1);
        break;
      case 'retention.bytes':
        // Any negative size means unlimited, as Kafka's retention by size (retentionSize < 0).
        config.retentionBytes = Math.max(parseInteger(name, value, -NEVER), -1);
        break;
      case 'delete.retention.ms':
        config.deleteRetentionMs = parseInteger(name, value, 0);
        break;
      case 'min.compaction.lag.ms':
        config.minCompactionLagMs = parseInteger(name, value, 0);
        break;
      case 'max.compaction.lag.ms':
        config.maxCompactionLagMs = parseInteger(name, value, 1);
        break;
      case 'flush.messages':
        config.flushMessages = parseInteger(name, value, 1);
        break;
      case 'flush.ms':
        config.flushMs = parseInteger(name, value, 0);
        break;
      case 'file.delete.delay.ms':
        config.fileDeleteDelayMs = parseInteger(name, value, 0);
        break;
      case 'cleanup.policy': {
        const trimmed = value.trim();
        const parts = trimmed === '' ? [] : trimmed.split(',').map((p) => p.trim().toLowerCase());
        if (parts.some((p) => p !== 'delete' && p !== 'compact')) {
          throw new LogConfigError(`cleanup.policy: unknown value ${value}`);
        }
        config.cleanupPolicyDelete = parts.includes('delete');
        config.cleanupPolicyCompact = parts.includes('compact');
        break;
      }
      case 'message.timestamp.type':
        if (value !== 'CreateTime' && value !== 'LogAppendTime') {
          throw new LogConfigError(`message.timestamp.type: unknown value ${value}`);
        }
        config.messageTimestampType = value;
        break;
      default:
        break;
    }
  }
  return config;
}
