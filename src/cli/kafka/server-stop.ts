/**
 * kafka-server-stop.sh: as Kafka's script signals the kafka.Kafka java processes, this signals
 * the running Gregor brokers, the processes whose command line is `<node> .../gregor.cjs start ...`
 * (or gregor.js, or an installed `gregor start`), found in /proc (Linux; the Docker image too).
 * SIGNAL (environment, default TERM) is the signal sent, as in Kafka's script.
 * `--node-id=N` or `--process-role=R` stop only the brokers with that node.id or process.roles,
 * read as `gregor start` reads them: its --override values, else the KAFKA_NODE_ID /
 * KAFKA_PROCESS_ROLES environment of the process, else its properties file.
 * Nothing matched: "No kafka server to stop", exit 1. Left out: other platforms than Linux
 * (the message says so), brokers run in-process by a program.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, resolve as resolvePath } from 'node:path';
import { parseProperties } from '../../client/security.js';
import { cliIo } from '../io.js';
import { KafkaToolExit } from './options.js';

export interface GregorProcess {
  pid: number;
  /** node.id and process.roles as the process was given them (undefined when unknown). */
  nodeId: string | undefined;
  processRoles: string | undefined;
}

const LAUNCHERS = ['gregor.cjs', 'gregor.js', 'gregor'];

/** The `start` arguments when `argv` runs a Gregor broker, else null. */
export function gregorStartArgs(argv: readonly string[]): string[] | null {
  for (let i = 0; i < Math.min(argv.length - 1, 3); i++)
    if (LAUNCHERS.includes(basename(argv[i]!)) && argv[i + 1] === 'start') return argv.slice(i + 2);
  return null;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** node.id / process.roles from `start`'s arguments, the process's environment and its properties file. */
function settingsOf(pid: number, args: readonly string[]): Pick<GregorProcess, 'nodeId' | 'processRoles'> {
  let file: string | undefined;
  const overrides: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--config' || arg === '-c') file = args[++i];
    else if (arg === '--override') {
      const kv = args[++i] ?? '';
      const eq = kv.indexOf('=');
      if (eq > 0) overrides[kv.slice(0, eq)] = kv.slice(eq + 1);
    } else if (!arg.startsWith('-') && file === undefined) file = arg;
  }
  const env = new Map(
    (readText(`/proc/${pid}/environ`) ?? '')
      .split('\0')
      .filter((e) => e.includes('='))
      .map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] as const),
  );
  let fileProps: Record<string, string> = {};
  if (file !== undefined) {
    const text = readText(resolvePath(`/proc/${pid}/cwd`, file));
    if (text !== null) fileProps = parseProperties(text);
  }
  return {
    nodeId: overrides['node.id'] ?? env.get('KAFKA_NODE_ID') ?? fileProps['node.id'],
    processRoles: overrides['process.roles'] ?? env.get('KAFKA_PROCESS_ROLES') ?? fileProps['process.roles'],
  };
}

/** The Gregor brokers running on this machine (this process and its parent left out). */
export function gregorProcesses(): GregorProcess[] {
  const found: GregorProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid || pid === process.ppid) continue;
    const cmdline = readText(`/proc/${pid}/cmdline`);
    if (cmdline === null) continue;
    const args = gregorStartArgs(cmdline.split('\0').filter((a) => a !== ''));
    if (args === null) continue;
    found.push({ pid, ...settingsOf(pid, args) });
  }
  return found;
}

export function kafkaServerStop(args: readonly string[]): Promise<number> {
  const usage = 'Usage: kafka-server-stop.sh [--process-role=value] | [--node-id=value]';
  if (args.length > 1) throw new KafkaToolExit(1, usage);
  const [filter] = args;
  let keep: (p: GregorProcess) => boolean = () => true;
  if (filter?.startsWith('--node-id=')) {
    const id = filter.slice('--node-id='.length);
    keep = (p) => p.nodeId?.trim() === id;
  } else if (filter?.startsWith('--process-role=')) {
    const role = filter.slice('--process-role='.length);
    keep = (p) => p.processRoles?.replace(/\s/g, '') === role.replace(/\s/g, '');
  } else if (filter !== undefined) throw new KafkaToolExit(1, usage);
  if (process.platform !== 'linux')
    throw new KafkaToolExit(1, 'kafka-server-stop: Gregor finds its brokers in /proc, which this system has not');
  const named = (process.env['SIGNAL'] ?? 'TERM').trim();
  const signal: NodeJS.Signals | number = /^\d+$/.test(named)
    ? Number(named)
    : (`SIG${named.replace(/^SIG/, '')}` as NodeJS.Signals);
  const pids = gregorProcesses()
    .filter(keep)
    .map((p) => p.pid);
  if (pids.length === 0) {
    cliIo().stdout.write('No kafka server to stop\n');
    return Promise.resolve(1);
  }
  let failed = 0;
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch (err) {
      failed++;
      cliIo().stderr.write(`kill: (${pid}): ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  return Promise.resolve(failed > 0 ? 1 : 0);
}
