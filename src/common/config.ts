/**
 * Broker configuration: defaults < server.properties < KAFKA_* environment < overrides.
 * The environment is mapped as the apache/kafka image maps it: strip KAFKA_, lower-case,
 * `___` → `-`, `__` → `_`, `_` → `.` (so KAFKA_NODE_ID → node.id).
 */
import { readFileSync } from 'node:fs';
import { BROKER_CONFIGS } from './config-defs.js';
import { ConfigError } from './errors.js';
export { ConfigError };

/**
 * Parses Java properties text as java.util.Properties.load does: `key=value`, `key: value` or
 * `key value`; `#` and `!` comment lines; a line ending in an odd number of backslashes continues on
 * the next (whose leading white space is dropped); escapes in keys and values (`\t`, `\n`, `\r`,
 * `\f`, `\uXXXX`, and `\x` for any other x, so `\:` is `:` and `\\` is one backslash).
 */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.replace(/^[ \t\f]+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    while (endsInOddBackslashes(line) && i + 1 < lines.length)
      line = line.slice(0, -1) + lines[++i]!.replace(/^[ \t\f]+/, '');
    const m = /^((?:[^=:\s\\]|\\.)*)(?:[ \t\f]*[=:][ \t\f]*|[ \t\f]+(?:[=:][ \t\f]*)?|$)([\s\S]*)$/.exec(line)!;
    out.set(unescapeProperty(m[1]!), unescapeProperty(m[2]!.replace(/[ \t\f]+$/, '')));
  }
  return out;
}

function endsInOddBackslashes(line: string): boolean {
  const trailing = /\\*$/.exec(line)![0].length;
  return trailing % 2 === 1;
}

function unescapeProperty(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|[\s\S])/g, (_, c: string) => {
    if (c.length === 5) return String.fromCharCode(parseInt(c.slice(1), 16));
    return c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c === 'f' ? '\f' : c;
  });
}

/** Maps KAFKA_* variables to config names, as the apache/kafka image does. */
export function configFromEnv(env: NodeJS.ProcessEnv): Map<string, string> {
  const out = new Map<string, string>();
  const skip = new Set([
    'KAFKA_VERSION',
    'KAFKA_HOME',
    'KAFKA_OPTS',
    'KAFKA_HEAP_OPTS',
    'KAFKA_JVM_PERFORMANCE_OPTS',
    'KAFKA_LOG4J_OPTS',
    'KAFKA_JMX_OPTS',
    'KAFKA_GC_LOG_OPTS',
    'KAFKA_DEBUG',
    // The apache/kafka image also leaves these out of server.properties (KafkaDockerWrapper):
    // JMX's advertised host and the tools' log level are not broker settings.
    'KAFKA_JMX_HOSTNAME',
    'KAFKA_TOOLS_LOG4J_LOGLEVEL',
  ]);
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith('KAFKA_') || value === undefined || skip.has(key)) continue;
    const name = key
      .slice('KAFKA_'.length)
      .toLowerCase()
      .split('___')
      .map((part) =>
        part
          .split('__')
          .map((piece) => piece.replace(/_/g, '.'))
          .join('_'),
      )
      .join('-');
    out.set(name, value);
  }
  return out;
}

/**
 * The Java system properties of `KAFKA_OPTS` (`-Dname=value`), as kafka-run-class.sh passes them to
 * Kafka's JVM. Gregor reads one: `java.security.auth.login.config`, the static JAAS file.
 */
export function javaSystemProperties(kafkaOpts: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const word of (kafkaOpts ?? '').split(/\s+/)) {
    const m = /^-D([^=]+)=(.*)$/.exec(word);
    if (m) out.set(m[1]!, m[2]!.replace(/^(["'])(.*)\1$/, '$2'));
  }
  return out;
}

export class BrokerConfig {
  private readonly values: Map<string, string>;
  /** Java system properties from KAFKA_OPTS (javaSystemProperties). */
  readonly systemProperties: ReadonlyMap<string, string>;

  constructor(
    values: Map<string, string> | Record<string, string | number | boolean> = new Map(),
    systemProperties: ReadonlyMap<string, string> = new Map(),
  ) {
    this.values =
      values instanceof Map ? new Map(values) : new Map(Object.entries(values).map(([k, v]) => [k, String(v)]));
    this.systemProperties = systemProperties;
  }

  static load(
    options: { file?: string; env?: NodeJS.ProcessEnv; overrides?: Record<string, string> } = {},
  ): BrokerConfig {
    const merged = new Map<string, string>();
    if (options.file !== undefined) {
      let text: string;
      try {
        text = readFileSync(options.file, 'utf8');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
        const why =
          code === 'ENOENT'
            ? 'no such file'
            : code === 'EACCES'
              ? 'permission denied'
              : code === 'EISDIR'
                ? 'is a directory'
                : code;
        throw new ConfigError(`cannot read config file ${options.file}: ${why}`);
      }
      for (const [k, v] of parseProperties(text)) merged.set(k, v);
    }
    if (options.env) for (const [k, v] of configFromEnv(options.env)) merged.set(k, v);
    for (const [k, v] of Object.entries(options.overrides ?? {})) merged.set(k, v);
    return new BrokerConfig(merged, javaSystemProperties(options.env?.['KAFKA_OPTS']));
  }

  /** The explicitly set value, if any. */
  explicit(name: string): string | undefined {
    return this.values.get(name);
  }

  /** The value in force: explicit, else Kafka's default. */
  raw(name: string): string | null {
    const v = this.values.get(name);
    if (v !== undefined) return v;
    return BROKER_CONFIGS[name]?.default ?? null;
  }

  string(name: string): string {
    const v = this.raw(name);
    if (v === null) throw new ConfigError(`${name} has no value`);
    return v;
  }

  int(name: string): number {
    const v = this.string(name);
    const n = Number(v);
    if (!Number.isFinite(n) || !Number.isInteger(n)) throw new ConfigError(`${name}=${v} is not an integer`);
    return n;
  }

  bool(name: string): boolean {
    const v = this.string(name).toLowerCase();
    if (v !== 'true' && v !== 'false') throw new ConfigError(`${name}=${v} is not a boolean`);
    return v === 'true';
  }

  list(name: string): string[] {
    const v = this.raw(name);
    if (v === null || v.trim() === '') return [];
    return v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  }

  /** Every key with an explicit value. */
  entries(): IterableIterator<[string, string]> {
    return this.values.entries();
  }

  with(overrides: Record<string, string | number | boolean>): BrokerConfig {
    const next = new Map(this.values);
    for (const [k, v] of Object.entries(overrides)) next.set(k, String(v));
    return new BrokerConfig(next, this.systemProperties);
  }

  nodeId(): number {
    const explicitNode = this.values.get('node.id') ?? this.values.get('broker.id');
    return explicitNode !== undefined ? Number(explicitNode) : this.int('node.id');
  }

  logDirs(): string[] {
    const dirs = this.list('log.dirs');
    return dirs.length > 0 ? dirs : [this.string('log.dir')];
  }

  /** Time-valued settings with Kafka's ms > minutes > hours precedence. */
  millis(base: string): number {
    const ms = this.raw(`${base}.ms`);
    if (ms !== null) return Number(ms);
    const minutes = this.raw(`${base}.minutes`);
    if (minutes !== null) return Number(minutes) * 60_000;
    const hours = this.raw(`${base}.hours`);
    return Number(hours ?? '168') * 3_600_000;
  }

  /**
   * The retention time in force, as Kafka's KafkaConfig.logRetentionTimeMillis: log.retention.ms, else
   * minutes, else hours, with any negative result meaning unlimited (-1).
   */
  retentionMillis(): number {
    const ms = this.millis('log.retention');
    return ms < 0 ? -1 : ms;
  }
}
