/**
 * The Go checks' runner: builds the sarama and kafka-go check programs (compat-tests/go/*-check/)
 * once per source version with Debian's Go toolchain in GOPATH mode (GO111MODULE=off,
 * GOPATH=/usr/share/gocode, where golang-github-shopify-sarama-dev and
 * golang-github-segmentio-kafka-go-dev put the libraries), caches the binaries in the temp dir,
 * runs them and turns each "ok <name>" / "not ok <name> -- <why>" / "skip <name> -- <why>" line into a
 * tap assertion. Without Go or the libraries the tests skip, except in CI (CI set), where a missing
 * toolchain is a failure: .ci/run installs it.
 */
import type { Test } from 'tap';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasCommand, run } from '../../test/helpers/external.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const GOPATH = '/usr/share/gocode';
const LIBRARIES = [`${GOPATH}/src/github.com/Shopify/sarama`, `${GOPATH}/src/github.com/segmentio/kafka-go`];
export const PROGRAMS = ['sarama-check', 'kafkago-check'] as const;
export type Program = (typeof PROGRAMS)[number];

/** Why the Go checks cannot run here, or null when they can. */
export function goMissing(): string | null {
  if (!hasCommand('go')) return 'the go command is not installed (apt-get install golang-go)';
  const absent = LIBRARIES.filter((dir) => !existsSync(dir));
  if (absent.length > 0)
    return `${absent.join(', ')} missing (apt-get install golang-github-shopify-sarama-dev golang-github-segmentio-kafka-go-dev)`;
  return null;
}

/** tap's skip option for a Go test: false when Go is there, or in CI (the test then fails in requireGo). */
export function goSkip(): string | false {
  const missing = goMissing();
  return missing !== null && !process.env.CI ? missing : false;
}

/** Fails the test when Go is missing (only reached in CI); returns whether the checks can run. */
export function requireGo(t: Test): boolean {
  const missing = goMissing();
  if (missing === null) return true;
  t.fail(`the Go compatibility checks cannot run in CI: ${missing}; .ci/run installs these Debian packages`);
  return false;
}

function sourceHash(): string {
  const hash = createHash('sha256');
  for (const program of PROGRAMS) {
    const dir = join(HERE, program);
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith('.go'))
      .sort()) {
      hash.update(`${program}/${file}\0`).update(readFileSync(join(dir, file)));
    }
  }
  return hash.digest('hex').slice(0, 16);
}

const CACHE = join(tmpdir(), 'gregor-go-checks');
const goEnv = {
  GO111MODULE: 'off',
  GOPATH,
  GOCACHE: join(CACHE, 'gocache'),
  GOFLAGS: '',
  GOPROXY: 'off',
};

/**
 * Builds the programs unless this version of their sources is built already; returns the binary
 * paths. Each binary is built under a unique name and renamed into place, so test files running at
 * once do not see a half-written one.
 */
export async function buildGoChecks(t: Test): Promise<Record<Program, string> | null> {
  const dir = join(CACHE, sourceHash());
  mkdirSync(dir, { recursive: true });
  const binaries = {} as Record<Program, string>;
  for (const program of PROGRAMS) {
    const target = join(dir, program);
    binaries[program] = target;
    if (existsSync(target)) continue;
    const partial = `${target}.${process.pid}.partial`;
    const started = Date.now();
    const result = await run('go', ['build', '-o', partial, '.'], {
      cwd: join(HERE, program),
      env: goEnv,
      timeoutMs: 300_000,
    });
    if (result.code !== 0) {
      rmSync(partial, { force: true });
      t.fail(`go build ${program}: ${result.stderr.slice(-3000)}`);
      return null;
    }
    renameSync(partial, target);
    t.comment(`built ${program} in ${Date.now() - started} ms`);
  }
  return binaries;
}

export interface CheckLine {
  status: 'ok' | 'not ok' | 'skip';
  name: string;
  detail: string;
}

export function parseCheckLines(stdout: string): CheckLine[] {
  const lines: CheckLine[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^(ok|not ok|skip) (.*?)(?: -- (.*))?$/.exec(line);
    if (m) lines.push({ status: m[1] as CheckLine['status'], name: m[2]!, detail: m[3] ?? '' });
  }
  return lines;
}

/**
 * Runs one scenario of a check program and asserts each of its lines; `expected` is how many
 * checks it must report (so a crash half-way, or a check silently dropped, fails the test).
 */
export async function runChecks(
  t: Test,
  binary: string,
  args: string[],
  expected: number,
  timeoutMs = 120_000,
): Promise<CheckLine[]> {
  const result = await run(binary, args, { timeoutMs });
  const lines = parseCheckLines(result.stdout);
  for (const line of lines) {
    if (line.status === 'ok') t.pass(line.name);
    else if (line.status === 'skip') t.comment(`skipped: ${line.name}: ${line.detail}`);
    else t.fail(`${line.name}: ${line.detail}`);
  }
  t.equal(
    lines.length,
    expected,
    `${args.slice(0, 1).join(' ')} ${args.slice(2).join(' ')}: ${expected} checks reported`,
  );
  t.equal(result.code, 0, `exit code (stderr: ${result.stderr.slice(-1500)})`);
  return lines;
}
