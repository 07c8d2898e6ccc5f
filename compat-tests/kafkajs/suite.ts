/**
 * Brings the kafkajs test suite into a scratch copy under compat-tests/kafkajs/work/ (gitignored):
 * finds a checkout (a git repository, bare or not, or a plain directory), exports the pinned commit
 * into work/kafkajs-<commit>/, applies the runner's patches and installs the suite's dev
 * dependencies with yarn 1 from its lock file. The suite's code is never committed to Gregor.
 *
 * Leaves out: fetching over the network unless asked (`clone`); CI has no checkout and the runner
 * stops with SuiteNotFoundError there.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { applyPatches, PATCHES_VERSION } from './patches.js';

/** The kafkajs commit the allowlist and FINDINGS.md were written against (master after v2.2.4). */
export const PINNED_COMMIT = '55b0b416308b9e597a5a6b97b0a6fd6b846255dc';
export const UPSTREAM = 'https://github.com/tulios/kafkajs.git';

export class SuiteNotFoundError extends Error {
  override name = 'SuiteNotFoundError';
}

export interface SuiteOptions {
  /** A kafkajs checkout: git repository (bare or with a work tree) or plain directory. */
  source?: string;
  commit: string;
  /** Clone UPSTREAM into work/kafkajs.git when no source is given. */
  clone: boolean;
  workDir: string;
  portOffset: number;
  /** npm registry URL that yarn.lock's resolved URLs are rewritten to. */
  registry: string;
  log: (line: string) => void;
}

export interface PreparedSuite {
  root: string;
  commit: string;
}

function git(args: string[], cwd?: string): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** The git dir of a repository path, or undefined when the path is not a git repository. */
function gitDirOf(path: string): string | undefined {
  try {
    return resolve(path, git(['rev-parse', '--git-dir'], path));
  } catch {
    return undefined;
  }
}

function notFound(): SuiteNotFoundError {
  return new SuiteNotFoundError(
    [
      'No kafkajs checkout found. The runner needs the kafkajs repository (github.com/tulios/kafkajs):',
      '  npm run compat:kafkajs -- --suite <path>   a clone (bare or not) or an unpacked source tree',
      '  npm run compat:kafkajs -- --clone          clone it from GitHub into compat-tests/kafkajs/work/',
      '  KAFKAJS_SUITE=<path> npm run compat:kafkajs',
      `The pinned commit is ${PINNED_COMMIT}. CI has no checkout, so this suite does not run there.`,
    ].join('\n'),
  );
}

/** Finds the git dir or plain directory to take the suite from. */
function locateSource(options: SuiteOptions): { gitDir?: string; plainDir?: string } {
  const source = options.source ?? process.env.KAFKAJS_SUITE;
  if (source !== undefined && source !== '') {
    if (!existsSync(source) || !statSync(source).isDirectory())
      throw new SuiteNotFoundError(`--suite ${source}: no such directory`);
    const gitDir = gitDirOf(source);
    if (gitDir !== undefined) return { gitDir };
    if (!existsSync(join(source, 'testHelpers', 'index.js'))) {
      throw new SuiteNotFoundError(`--suite ${source}: not a kafkajs checkout (no testHelpers/index.js)`);
    }
    return { plainDir: resolve(source) };
  }
  const cloned = join(options.workDir, 'kafkajs.git');
  if (existsSync(cloned)) return { gitDir: cloned };
  if (options.clone) {
    options.log(`cloning ${UPSTREAM} into ${cloned}`);
    const r = spawnSync('git', ['clone', '--bare', '--quiet', UPSTREAM, cloned], { stdio: 'inherit' });
    if (r.status !== 0) throw new SuiteNotFoundError(`git clone ${UPSTREAM} failed (no network?)`);
    return { gitDir: cloned };
  }
  throw notFound();
}

interface Stamp {
  commit: string;
  patches: number;
  portOffset: number;
  installed: boolean;
}

function readStamp(root: string): Stamp | undefined {
  try {
    return JSON.parse(readFileSync(join(root, '.gregor-prepared.json'), 'utf8')) as Stamp;
  } catch {
    return undefined;
  }
}

function writeStamp(root: string, stamp: Stamp): void {
  writeFileSync(join(root, '.gregor-prepared.json'), JSON.stringify(stamp, null, 2));
}

function install(root: string, registry: string, log: (line: string) => void): void {
  const lock = join(root, 'yarn.lock');
  if (existsSync(lock)) {
    // registry.yarnpkg.com is an alias of the npm registry; the npm one is reachable from more places
    const text = readFileSync(lock, 'utf8');
    writeFileSync(lock, text.replaceAll('https://registry.yarnpkg.com/', registry.replace(/\/?$/, '/')));
  }
  log('installing the suite dev dependencies (yarn 1, frozen lock file, no install scripts)');
  const args = [
    '-y',
    'yarn@1',
    'install',
    '--frozen-lockfile',
    '--ignore-scripts',
    '--non-interactive',
    '--no-progress',
  ];
  const r = spawnSync('npx', args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`yarn install failed in ${root} (exit ${r.status ?? r.signal})`);
}

/** Exports, patches and installs the suite; reuses a scratch copy prepared the same way. */
export function prepareSuite(options: SuiteOptions): PreparedSuite {
  const { gitDir, plainDir } = locateSource(options);
  let commit: string;
  if (gitDir !== undefined) {
    try {
      commit = git(['--git-dir', gitDir, 'rev-parse', '--verify', `${options.commit}^{commit}`]);
    } catch {
      throw new SuiteNotFoundError(`${gitDir} does not have commit ${options.commit}`);
    }
  } else {
    commit = 'unknown (plain directory)';
  }
  const name = gitDir !== undefined ? `kafkajs-${commit.slice(0, 12)}` : 'kafkajs-plain';
  const root = join(options.workDir, name);
  const stamp = readStamp(root);
  const fresh =
    stamp?.commit === commit && stamp.patches === PATCHES_VERSION && stamp.portOffset === options.portOffset;
  if (!fresh || plainDir !== undefined) {
    // the same commit has the same lock file: keep the installed dependencies across re-exports
    const keepModules = stamp?.installed === true && stamp.commit === commit && existsSync(join(root, 'node_modules'));
    const modules = join(options.workDir, '.node_modules-keep');
    rmSync(modules, { recursive: true, force: true });
    if (keepModules) renameSync(join(root, 'node_modules'), modules);
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root, { recursive: true });
    if (gitDir !== undefined) {
      options.log(`exporting kafkajs ${commit} from ${gitDir}`);
      const archive = spawnSync('git', ['--git-dir', gitDir, 'archive', '--format=tar', commit], {
        maxBuffer: 1 << 30,
      });
      if (archive.status !== 0) throw new Error(`git archive failed: ${archive.stderr.toString()}`);
      const untar = spawnSync('tar', ['-x', '-C', root], { input: archive.stdout });
      if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr.toString()}`);
    } else {
      options.log(`copying ${plainDir} into ${root}`);
      cpSync(plainDir!, root, { recursive: true, filter: (src) => !/[/\\](node_modules|\.git)$/.test(src) });
    }
    for (const line of applyPatches(root, { portOffset: options.portOffset })) options.log(`patched: ${line}`);
    if (keepModules) renameSync(modules, join(root, 'node_modules'));
    writeStamp(root, { commit, patches: PATCHES_VERSION, portOffset: options.portOffset, installed: keepModules });
  }
  if (readStamp(root)?.installed !== true || !existsSync(join(root, 'node_modules', 'jest'))) {
    install(root, options.registry, options.log);
    writeStamp(root, { commit, patches: PATCHES_VERSION, portOffset: options.portOffset, installed: true });
  }
  return { root, commit };
}
