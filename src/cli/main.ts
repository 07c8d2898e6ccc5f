/**
 * The `gregor` command.
 *
 *   gregor start [--config server.properties] [--override key=value ...]
 *
 * Configs: Kafka's defaults < the properties file < KAFKA_* environment variables
 * (mapped as the apache/kafka image maps them) < --override. SIGTERM and SIGINT shut
 * down gracefully: stop accepting, drain, flush, mark a clean shutdown. When every log
 * dir has failed the broker stops itself and the command exits with 1.
 */
import { BrokerConfig, ConfigError } from '../common/config.js';
import { createLogger } from '../common/logger.js';
import { Broker } from '../broker/broker.js';

const USAGE = `usage: gregor start [--config <server.properties>] [--override key=value ...]`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command === undefined ? 1 : 0;
  }
  if (command !== 'start') {
    console.error(`unknown command ${command}\n${USAGE}`);
    return 1;
  }
  let file: string | undefined;
  const overrides: Record<string, string> = {};
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--config' || arg === '-c') file = rest[++i];
    else if (arg === '--override') {
      const kv = rest[++i] ?? '';
      const eq = kv.indexOf('=');
      if (eq <= 0) {
        console.error(`--override takes key=value, got "${kv}"`);
        return 1;
      }
      overrides[kv.slice(0, eq)] = kv.slice(eq + 1);
    } else if (!arg.startsWith('-') && file === undefined) file = arg;
    else {
      console.error(`unknown argument ${arg}\n${USAGE}`);
      return 1;
    }
  }
  const log = createLogger();
  let broker: Broker;
  try {
    const config = BrokerConfig.load({ file, env: process.env, overrides });
    broker = new Broker({ config, log });
    await broker.start();
  } catch (err) {
    if (err instanceof ConfigError) {
      log.error(err.message);
      return 1;
    }
    throw err;
  }
  return new Promise<number>((resolveStop) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down');
      void broker.stop().then(() => resolveStop(0));
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    // The broker stopped itself (every log dir failed): exit 1, as Kafka halts.
    broker.onFatalStop(() => resolveStop(1));
  });
}
