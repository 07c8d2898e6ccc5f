/**
 * The embedded API, for users' tests:
 *
 *   import { startBroker } from 'gregor';
 *   const broker = await startBroker();
 *   // broker.bootstrap === '127.0.0.1:<ephemeral port>'
 *   await broker.stop();
 *
 * Starts a single node on an ephemeral port with a temporary data dir (removed on stop),
 * or with `storage: 'memory'` entirely in memory: no file written at all (log.dirs=memory:,
 * capped by memory.max.bytes).
 * The configs are checked as the CLI checks them: a bad value throws a ConfigError.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BrokerConfig, ConfigError } from './common/config.js';
import { MEMORY_LOG_DIRS } from './broker/memory-storage.js';
import { unknownConfigsWarning, validateBrokerConfig } from './common/config-validate.js';
import { createLogger, type Logger } from './common/logger.js';
import { Broker } from './node/broker.js';

export { Broker } from './node/broker.js';
export { BrokerConfig, ConfigError } from './common/config.js';

export interface StartBrokerOptions {
  /** Extra broker configs, by Kafka name. */
  config?: Record<string, string | number | boolean>;
  /** A data dir to use (kept on stop); a temporary one otherwise. Not with storage 'memory'. */
  dataDir?: string;
  /** 'disk' (the default) or 'memory': logs, metadata and internal topics in memory (log.dirs=memory:). */
  storage?: 'disk' | 'memory';
  /** pino level; 'silent' by default. */
  logLevel?: string;
  logger?: Logger;
}

export interface RunningBroker {
  /** host:port of the PLAINTEXT listener, for clients' bootstrap servers. */
  bootstrap: string;
  port: number;
  broker: Broker;
  stop(): Promise<void>;
}

/** Whether every dir the broker writes (log.dirs, metadata.log.dir) is `dir`. */
function writesOnlyUnder(config: BrokerConfig, dir: string): boolean {
  const metadataDir = config.explicit('metadata.log.dir');
  return (
    config.logDirs().every((d) => resolve(d) === resolve(dir)) &&
    (metadataDir === undefined || resolve(metadataDir) === resolve(dir))
  );
}

export async function startBroker(options: StartBrokerOptions = {}): Promise<RunningBroker> {
  const inMemory = options.storage === 'memory';
  if (options.storage !== undefined && options.storage !== 'memory' && options.storage !== 'disk') {
    throw new ConfigError(`storage must be 'disk' or 'memory', got ${String(options.storage)}`);
  }
  if (inMemory && options.dataDir !== undefined)
    throw new ConfigError(`storage 'memory' writes no files: do not give it a dataDir (${options.dataDir})`);
  if (inMemory && options.config?.['log.dirs'] !== undefined && options.config['log.dirs'] !== MEMORY_LOG_DIRS) {
    throw new ConfigError(`storage 'memory' conflicts with log.dirs=${String(options.config['log.dirs'])}`);
  }
  const temporary = options.dataDir === undefined && !inMemory;
  const dataDir = inMemory ? MEMORY_LOG_DIRS : (options.dataDir ?? mkdtempSync(join(tmpdir(), 'gregor-')));
  const config = new BrokerConfig({
    // Node 1 unless the caller names it (by broker.id too: the two must agree).
    ...(options.config?.['broker.id'] === undefined ? { 'node.id': 1 } : {}),
    listeners: 'PLAINTEXT://127.0.0.1:0',
    'log.dirs': dataDir,
    'group.initial.rebalance.delay.ms': 0,
    'offsets.topic.num.partitions': 1,
    'transaction.state.log.num.partitions': 1,
    ...options.config,
  });
  const log = options.logger ?? createLogger({ level: options.logLevel ?? 'silent', pretty: false });
  let broker: Broker;
  try {
    const unknown = validateBrokerConfig(config);
    if (unknown.length > 0) log.warn({ unknown }, unknownConfigsWarning(unknown));
    // The temporary dir goes on stop (and with the process's tmp on a machine crash): nothing there needs
    // an fsync, and nothing but the partitions' data needs to be a file: the metadata log, the quorum
    // state and meta.properties stay in memory, as with storage 'memory'. Only when the broker writes
    // nowhere else (no log.dirs or metadata.log.dir of the caller's).
    const throwawayDataDir = temporary && writesOnlyUnder(config, dataDir);
    broker = new Broker({
      config,
      log,
      ...(throwawayDataDir ? { throwawayDataDir, ephemeralMetadata: true } : {}),
    });
    await broker.start();
  } catch (error) {
    if (temporary) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const listener = broker.bound.find((l) => l.securityProtocol === 'PLAINTEXT') ?? broker.bound[0]!;
  return {
    bootstrap: `${listener.host}:${listener.port}`,
    port: listener.port,
    broker,
    async stop() {
      await broker.stop();
      if (temporary) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
