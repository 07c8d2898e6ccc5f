/**
 * The `gregor` command.
 *
 *   gregor start [--config server.properties] [--override key=value ...] [--in-memory]
 *   gregor topic|produce|consume|group|cluster|user|console ... (the tools: src/cli/program.ts)
 *
 * Configs: Kafka's defaults < the properties file < KAFKA_* environment variables
 * (mapped as the apache/kafka image maps them) < --override; --in-memory sets
 * log.dirs=memory: (refused beside another log.dirs override). Every known value is checked
 * before anything starts; a start-up failure is one line on stderr and exit code 1 (see
 * startup-errors.ts), with the stack only when GREGOR_LOG_LEVEL=debug. SIGTERM and SIGINT shut
 * down gracefully: stop accepting, drain, flush, mark a clean shutdown (also when the signal came
 * during the start; a repeated SIGTERM does not cut it short, a second SIGINT ends the process). When every log
 * dir has failed the broker stops itself and the command exits with 1. Once the broker is busy, V8's
 * tier-up thresholds are lowered for a server's few, large requests (jit-tuning.ts).
 */
import { BrokerConfig, ConfigError } from '../common/config.js';
import { MEMORY_LOG_DIRS } from '../broker/memory-storage.js';
import { unknownConfigsWarning, validateBrokerConfig } from '../common/config-validate.js';
import { createLogger } from '../common/logger.js';
import { Broker } from '../node/broker.js';
import { reportStartupFailure } from './startup-errors.js';
import { tuneJitWhenBusy } from './jit-tuning.js';

/** How long a signal that came during the start waits for the start to end before it ends the process. */
const SIGNAL_DURING_START_WAIT_MS = 2000;

const USAGE = `usage: gregor start [--config <server.properties>] [--override key=value ...] [--in-memory]
  --in-memory   keep logs, metadata and internal topics in memory (log.dirs=memory:); no file is written`;

/**
 * The tools (commander, their commands, the client) load only for a tool command: `gregor start`
 * never evaluates them (start-up time).
 */
async function runTools(argv: string[]): Promise<number> {
  const { runTool } = await import('./program.js');
  return runTool(argv);
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    await runTools(['--help']);
    return 1;
  }
  if (command !== 'start' || rest.includes('--help') || rest.includes('-h')) {
    if (command === 'start') {
      console.log(USAGE);
      return 0;
    }
    return runTools(argv);
  }
  let file: string | undefined;
  const overrides: Record<string, string> = {};
  let inMemory = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--config' || arg === '-c') file = rest[++i];
    else if (arg === '--in-memory') inMemory = true;
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
  let log: ReturnType<typeof createLogger>;
  let broker: Broker;
  // The handlers go in before the start: a SIGTERM that comes as the start ends (right after the
  // "started" line, before the handlers below took over) stops the broker cleanly once started,
  // instead of killing the process (no clean shutdown, recovery on the next start). A start that does
  // not end soon after the signal (a quorum still forming) is not waited for: the signal is raised
  // again with no handler, which ends the process as before.
  let signalled: NodeJS.Signals | null = null;
  let notWaited: NodeJS.Timeout | null = null;
  let onSignal = (signal: NodeJS.Signals): void => {
    signalled ??= signal;
    notWaited ??= setTimeout(() => process.kill(process.pid, signal), SIGNAL_DURING_START_WAIT_MS);
  };
  const onTerm = (): void => onSignal('SIGTERM');
  const onInt = (): void => onSignal('SIGINT');
  // SIGTERM stays handled until the process ends (a repeated SIGTERM does not cut a clean shutdown
  // short, as Kafka's JVM does not); a second Ctrl-C (SIGINT) ends the process at once.
  process.on('SIGTERM', onTerm);
  process.once('SIGINT', onInt);
  try {
    log = createLogger();
    const config = BrokerConfig.load({
      file,
      env: process.env,
      overrides: inMemory ? inMemoryOverrides(overrides) : overrides,
    });
    const unknown = validateBrokerConfig(config);
    if (unknown.length > 0) log.warn({ unknown }, unknownConfigsWarning(unknown));
    broker = new Broker({ config, log });
    await broker.start();
    tuneJitWhenBusy((flags) => log.debug({ flags }, 'V8 tier-up thresholds for serving'));
  } catch (err) {
    if (notWaited !== null) clearTimeout(notWaited);
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    reportStartupFailure(err, process.env, (line) => process.stderr.write(`${line}\n`));
    return 1;
  }
  return new Promise<number>((resolveStop) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down');
      void broker.stop().then(() => resolveStop(0));
    };
    if (notWaited !== null) clearTimeout(notWaited);
    onSignal = stop;
    if (signalled !== null) stop(signalled);
    // The broker stopped itself (every log dir failed, no registration in time): exit 1, as Kafka
    // halts or exits, saying why on stderr too.
    broker.onFatalStop((reason) => {
      process.stderr.write(`gregor: ${reason}\n`);
      resolveStop(1);
    });
  });
}

/** --in-memory is log.dirs=memory:; an explicit log.dirs that says otherwise is refused, not overridden. */
function inMemoryOverrides(overrides: Record<string, string>): Record<string, string> {
  const given = overrides['log.dirs'];
  if (given !== undefined && given !== MEMORY_LOG_DIRS)
    throw new ConfigError(`--in-memory conflicts with --override log.dirs=${given}`);
  return { ...overrides, 'log.dirs': MEMORY_LOG_DIRS };
}
