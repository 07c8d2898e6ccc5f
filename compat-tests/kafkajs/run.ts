/**
 * Runs the kafkajs project's own jest suite against Gregor.
 *
 *   npm run compat:kafkajs -- --suite <kafkajs checkout> [options] [jest path patterns...]
 *
 * Prepares a scratch copy of the suite (suite.ts, patches.ts), starts Gregor laid out like the
 * suite's docker-compose cluster (cluster.ts), runs jest with --json and the allowlist as a name
 * pattern, and writes RESULTS.md (report.ts). Options: see USAGE. Exit code: 0 when no test
 * failed, 1 when some did, 2 when the suite or the arguments are missing.
 *
 * Leaves out: docker and the suite's scripts/testWithKafka.sh; CI (it has no checkout).
 */
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pino from 'pino';
import { format, resolveConfig } from 'prettier';
import { loadAllowlist, skipPattern, type AllowlistEntry } from './allowlist.js';
import {
  CLUSTER_FEATURES,
  describeCluster,
  NODES,
  OAUTHBEARER_FILES,
  startCluster,
  type ClusterFeatures,
  type StartBroker,
} from './cluster.js';
import { buildJestArgs, unfinishedRunReason, type JestExit } from './jest-args.js';
import { parseJestJson } from './jest-json.js';
import { closingLine, firstLine, renderResults, summarize } from './report.js';
import { proposeEntries, renderTriage, triage } from './triage.js';
import { PINNED_COMMIT, prepareSuite, SuiteNotFoundError } from './suite.js';
import { classifySpecFiles } from './unit-files.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..', '..');

const USAGE = `usage: npm run compat:kafkajs -- [options] [jest path patterns...]

  --suite <path>        kafkajs checkout: git repository (bare or not) or source tree
                        (or KAFKAJS_SUITE=<path>); exported into compat-tests/kafkajs/work/
  --clone               clone github.com/tulios/kafkajs into work/ when no --suite is given
  --commit <sha>        kafkajs commit to export (default: pinned ${PINNED_COMMIT.slice(0, 12)})
  --unit                no broker: only the spec files that use no broker helper (smoke test)
  --broker-files        only the spec files that use a broker helper
  --brokers <1|2|3>     Gregor nodes to start (default ${CLUSTER_FEATURES.brokers})
  --ssl / --sasl        open the SSL / SASL_SSL listeners (default ${CLUSTER_FEATURES.ssl} / ${CLUSTER_FEATURES.sasl})
  --no-ssl / --no-sasl  leave them closed
  --oauthbearer         the suite's OAUTHBEARER pass: SASL_SSL serves only OAUTHBEARER (unsecured
                        JWTs), OAUTHBEARER_ENABLED=1, the six files of its test:group:oauthbearer
                        script unless patterns are given; report in RESULTS-oauthbearer.md
  --port-offset <n>     shift every listener port (9092..9100) by n, in Gregor and the suite
  --no-allowlist        run the allowlisted tests too
  --max-workers <n>     jest workers (default 2)
  --kafka-version <v>   KAFKA_VERSION for the suite's version gates (default 2.4)
  --gregor <dir>        run another Gregor tree (its src/index.ts), e.g. an export of a branch
  --broker-log <level>  Gregor's pino level, written to work/gregor.log (default warn)
  --results <file>      where to write the report (default compat-tests/kafkajs/RESULTS.md)
  --report-only <json>  re-render the report from a saved jest --json file, run nothing
  --triage <json>       group a saved run's failures by likely cause into work/TRIAGE.md and
                        propose allowlist entries (work/allowlist-proposed.json), run nothing
  -h, --help`;

interface Options {
  suite?: string;
  clone: boolean;
  commit: string;
  unit: boolean;
  brokerFiles: boolean;
  features: ClusterFeatures;
  portOffset: number;
  allowlist: boolean;
  maxWorkers: number;
  kafkaVersion: string;
  brokerLog: string;
  results: string;
  reportOnly?: string;
  triage?: string;
  gregor: string;
  patterns: string[];
  oauthbearer: boolean;
}

class UsageError extends Error {}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    clone: false,
    commit: PINNED_COMMIT,
    unit: false,
    brokerFiles: false,
    features: { ...CLUSTER_FEATURES },
    portOffset: 0,
    allowlist: true,
    maxWorkers: 2,
    kafkaVersion: '2.4',
    brokerLog: 'warn',
    results: join(HERE, 'RESULTS.md'),
    gregor: REPO,
    patterns: [],
    oauthbearer: false,
  };
  const value = (i: number, flag: string): string => {
    const v = argv[i];
    if (v === undefined) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  const int = (text: string, flag: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n)) throw new UsageError(`${flag} needs an integer, got ${text}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--suite') o.suite = value(++i, arg);
    else if (arg === '--clone') o.clone = true;
    else if (arg === '--commit') o.commit = value(++i, arg);
    else if (arg === '--unit') o.unit = true;
    else if (arg === '--broker-files') o.brokerFiles = true;
    else if (arg === '--brokers') {
      const n = int(value(++i, arg), arg);
      if (n !== 1 && n !== 2 && n !== 3) throw new UsageError('--brokers takes 1, 2 or 3');
      o.features.brokers = n;
    } else if (arg === '--ssl') o.features.ssl = true;
    else if (arg === '--sasl') o.features.sasl = true;
    else if (arg === '--no-ssl') o.features.ssl = false;
    else if (arg === '--no-sasl') o.features.sasl = false;
    else if (arg === '--oauthbearer') o.oauthbearer = true;
    else if (arg === '--port-offset') o.portOffset = int(value(++i, arg), arg);
    else if (arg === '--no-allowlist') o.allowlist = false;
    else if (arg === '--max-workers') o.maxWorkers = int(value(++i, arg), arg);
    else if (arg === '--kafka-version') o.kafkaVersion = value(++i, arg);
    else if (arg === '--broker-log') o.brokerLog = value(++i, arg);
    else if (arg === '--results') o.results = resolve(value(++i, arg));
    else if (arg === '--gregor') o.gregor = resolve(value(++i, arg));
    else if (arg === '--triage') o.triage = resolve(value(++i, arg));
    else if (arg === '--report-only') o.reportOnly = resolve(value(++i, arg));
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else o.patterns.push(arg);
  }
  if (o.oauthbearer) {
    o.features.sasl = true;
    o.features.oauthbearer = true;
    if (o.patterns.length === 0) o.patterns = [...OAUTHBEARER_FILES];
    if (!argv.includes('--results')) o.results = join(HERE, 'RESULTS-oauthbearer.md');
  }
  return o;
}

function gregorCommit(dir: string): string {
  try {
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
    const branch = execFileSync('git', ['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'protocol', 'storage'], {
      cwd: dir,
      encoding: 'utf8',
    }).trim();
    return `${sha} (${branch}${dirty === '' ? '' : ', with uncommitted changes'})`;
  } catch {
    const described = join(dir, 'GREGOR_COMMIT');
    return existsSync(described) ? readFileSync(described, 'utf8').trim() : `unknown (${dir})`;
  }
}

async function loadStartBroker(dir: string): Promise<StartBroker> {
  const entry = join(dir, 'src', 'index.ts');
  if (!existsSync(entry)) throw new UsageError(`--gregor ${dir}: no src/index.ts`);
  const mod: unknown = await import(pathToFileURL(entry).href);
  if (typeof mod !== 'object' || mod === null || !('startBroker' in mod) || typeof mod.startBroker !== 'function') {
    throw new UsageError(`${entry} exports no startBroker`);
  }
  return mod.startBroker as StartBroker;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

async function checkPorts(features: ClusterFeatures, offset: number): Promise<void> {
  for (const node of NODES.slice(0, features.brokers)) {
    const ports = [node.plaintext, ...(features.ssl ? [node.ssl] : []), ...(features.sasl ? [node.sasl] : [])];
    for (const p of ports) {
      if (!(await portFree(p + offset))) {
        throw new UsageError(`port ${p + offset} is in use; stop what holds it or pass --port-offset <n>`);
      }
    }
  }
}

function runJest(root: string, args: string[], env: NodeJS.ProcessEnv): Promise<JestExit> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(root, 'node_modules', 'jest', 'bin', 'jest.js'), ...args], {
      cwd: root,
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('error', fail);
    child.once('exit', (code, signal) => done({ code, signal }));
  });
}

interface ReportInput {
  jsonPath: string;
  suiteRoot: string;
  allowlist: AllowlistEntry[];
  brokerFiles: Set<string>;
  kafkajs: string;
  cluster: string;
  command: string;
  results: string;
  /** Gregor's commit as the run started (the report is written after it). */
  gregorCommit: string;
}

async function writeReport(r: ReportInput): Promise<number> {
  const run = parseJestJson(readFileSync(r.jsonPath, 'utf8'), r.suiteRoot);
  const summary = summarize(run, r.allowlist, r.brokerFiles);
  const date = new Date(run.startTime || Date.now()).toISOString();
  const text = renderResults(summary, {
    date,
    kafkajsCommit: r.kafkajs,
    gregorCommit: r.gregorCommit,
    cluster: r.cluster,
    command: r.command,
  });
  // The report is committed: it goes through Prettier as every file of the tree does.
  const style = (await resolveConfig(r.results)) ?? {};
  writeFileSync(r.results, await format(text, { ...style, filepath: r.results }));
  console.log(`\nreport: ${relative(process.cwd(), r.results)}`);
  console.log(closingLine(summary.total));
  return summary.total.failed > 0 ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    console.log(USAGE);
    return 0;
  }
  const o = parseArgs(argv);
  const workDir = join(HERE, 'work');
  mkdirSync(workDir, { recursive: true });
  const allowlist = o.allowlist ? loadAllowlist(join(HERE, 'allowlist.json')) : [];
  const cluster = o.unit ? 'none (--unit: spec files that need no broker)' : describeCluster(o.features, o.portOffset);
  const command = `npm run compat:kafkajs -- ${argv.map((a) => (a === o.suite ? '<path>' : a)).join(' ')}`.trim();

  if (o.triage !== undefined) {
    const groups = triage(parseJestJson(readFileSync(o.triage, 'utf8'), guessRoot(o.triage)));
    const detail = groups.map((g) =>
      [
        `## ${g.group} (${g.tests.length})`,
        '',
        ...g.tests.map((x) => `- ${x.file}: \`${x.fullName}\`: ${firstLine(x.failure)}`),
        '',
      ].join('\n'),
    );
    writeFileSync(join(workDir, 'TRIAGE.md'), `# Triage\n\n${renderTriage(groups)}\n\n${detail.join('\n')}`);
    writeFileSync(
      join(workDir, 'allowlist-proposed.json'),
      JSON.stringify({ entries: proposeEntries(groups) }, null, 2),
    );
    console.log(renderTriage(groups));
    return 0;
  }
  if (o.reportOnly !== undefined) {
    const root = guessRoot(o.reportOnly);
    const brokerFiles = existsSync(join(root, 'src')) ? new Set(classifySpecFiles(root).broker) : new Set<string>();
    return writeReport({
      jsonPath: o.reportOnly,
      suiteRoot: root,
      allowlist,
      brokerFiles,
      kafkajs: kafkajsCommitOf(root),
      cluster: 'as when the JSON was written',
      command,
      results: o.results,
      gregorCommit: `${gregorCommit(o.gregor)} (now; the JSON may be older)`,
    });
  }

  const log = (line: string): void => console.log(`[compat:kafkajs] ${line}`);
  const startedAt = gregorCommit(o.gregor);
  const registry = process.env.npm_config_registry ?? 'https://registry.npmjs.org/';
  const suite = prepareSuite({
    ...(o.suite ? { source: o.suite } : {}),
    commit: o.commit,
    clone: o.clone,
    workDir,
    portOffset: o.portOffset,
    registry,
    log,
  });

  const jsonPath = join(workDir, 'jest-results.json');
  const classes = classifySpecFiles(suite.root);
  let positionals = o.patterns;
  const byPath = o.unit || o.brokerFiles;
  if (byPath) {
    positionals = filterFiles(o.unit ? classes.unit : classes.broker, o.patterns);
    if (positionals.length === 0) throw new UsageError('no spec file of that kind matches the given patterns');
  }
  const pattern = skipPattern(allowlist);
  const jestArgs = buildJestArgs({
    jsonPath,
    maxWorkers: o.maxWorkers,
    positionals,
    byPath,
    ...(pattern !== undefined ? { namePattern: pattern } : {}),
  });

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KAFKA_VERSION: o.kafkaVersion,
    NODE_ENV: 'test',
    KAFKAJS_DEBUG_PROTOCOL_BUFFERS: '1',
    ...(o.oauthbearer ? { OAUTHBEARER_ENABLED: '1' } : {}),
  };
  let running: Awaited<ReturnType<typeof startCluster>> | undefined;
  if (!o.unit) {
    await checkPorts(o.features, o.portOffset);
    const logger = pino({ level: o.brokerLog }, pino.destination({ dest: join(workDir, 'gregor.log'), sync: true }));
    const startBroker = await loadStartBroker(o.gregor);
    running = await startCluster(o.features, {
      portOffset: o.portOffset,
      workDir,
      suiteRoot: suite.root,
      logger,
      startBroker,
      log,
    });
    log(`started ${cluster}; broker log in ${relative(process.cwd(), join(workDir, 'gregor.log'))}`);
  }
  // a results file from an earlier run must never be taken for this one
  rmSync(jsonPath, { force: true });
  let jestExit: JestExit;
  try {
    log(`jest ${jestArgs.filter((a) => !a.startsWith('--testNamePattern')).join(' ')}`);
    jestExit = await runJest(suite.root, jestArgs, env);
  } finally {
    await running?.stop();
  }
  const resultsText = existsSync(jsonPath) ? readFileSync(jsonPath, 'utf8') : undefined;
  const unfinished = unfinishedRunReason(jestExit, resultsText);
  if (unfinished !== undefined) {
    console.error(
      `\n[compat:kafkajs] RUN FAILED: ${unfinished}. No report written; ${relative(process.cwd(), o.results)} is unchanged.`,
    );
    return 1;
  }
  return writeReport({
    jsonPath,
    suiteRoot: suite.root,
    allowlist,
    brokerFiles: new Set(classes.broker),
    kafkajs: suite.commit,
    cluster,
    command,
    results: o.results,
    gregorCommit: startedAt,
  });
}

function filterFiles(files: string[], patterns: string[]): string[] {
  if (patterns.length === 0) return files;
  return files.filter((f) => patterns.some((p) => new RegExp(p, 'i').test(f)));
}

function kafkajsCommitOf(root: string): string {
  try {
    const stamp: unknown = JSON.parse(readFileSync(join(root, '.gregor-prepared.json'), 'utf8'));
    if (typeof stamp === 'object' && stamp !== null && 'commit' in stamp && typeof stamp.commit === 'string')
      return stamp.commit;
  } catch {
    // no stamp: not prepared by this runner
  }
  return 'unknown';
}

/** The suite root a saved jest JSON was written under: the common prefix of its file names. */
function guessRoot(jsonPath: string): string {
  const text = readFileSync(jsonPath, 'utf8');
  const m = /"name":"([^"]*?)\/(?:src|testHelpers)\//.exec(text);
  return m ? m[1]! : '';
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof SuiteNotFoundError || err instanceof UsageError) {
      console.error(err.message);
      if (err instanceof UsageError) console.error(`\n${USAGE}`);
      process.exit(2);
    }
    console.error(err);
    process.exit(1);
  },
);
