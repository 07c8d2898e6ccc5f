/**
 * Reads the JSON that `jest --json` writes into typed per-test outcomes.
 *
 * Only the fields the report needs are kept: each test file's path (made relative to the
 * suite root), its own status and message (a file that fails to load has no tests), and
 * for each test its full name, status and first failure message. Anything malformed is a
 * typed JestJsonError rather than a crash deep inside the report.
 */

export type TestStatus = 'passed' | 'failed' | 'skipped';

export interface TestOutcome {
  /** Describe blocks and title joined by spaces, as jest's -t matches it. */
  fullName: string;
  status: TestStatus;
  durationMs: number;
  /** First failure message, ANSI colours removed; '' unless failed. */
  failure: string;
}

export interface FileOutcome {
  /** Path relative to the suite root, with forward slashes. */
  file: string;
  /** jest's own status of the file: 'failed' also when it failed to load or in a hook. */
  status: 'passed' | 'failed';
  /** A file-level error (load failure, failing beforeAll), '' otherwise. */
  message: string;
  durationMs: number;
  tests: TestOutcome[];
}

export interface JestRun {
  startTime: number;
  files: FileOutcome[];
}

export class JestJsonError extends Error {
  override name = 'JestJsonError';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : fallback;
}

function num(value: unknown, fallback = 0): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

function toStatus(value: unknown): TestStatus {
  if (value === 'passed') return 'passed';
  if (value === 'failed') return 'failed';
  // 'pending', 'skipped', 'todo', 'disabled' and anything unknown
  return 'skipped';
}

export function relativeToSuite(path: string, suiteRoot: string): string {
  const root = suiteRoot.replace(/\\/g, '/').replace(/\/+$/, '');
  const p = path.replace(/\\/g, '/');
  return p.startsWith(root + '/') ? p.slice(root.length + 1) : p;
}

function parseTest(raw: unknown): TestOutcome {
  if (!isRecord(raw)) throw new JestJsonError('an assertion result is not an object');
  const ancestors = Array.isArray(raw.ancestorTitles) ? raw.ancestorTitles.map((a) => str(a)) : [];
  const title = str(raw.title);
  const fullName = str(raw.fullName) || [...ancestors, title].join(' ');
  const status = toStatus(raw.status);
  const messages = Array.isArray(raw.failureMessages) ? raw.failureMessages.map((m) => str(m)) : [];
  return {
    fullName,
    status,
    durationMs: num(raw.duration),
    failure: status === 'failed' ? stripAnsi(messages[0] ?? '').trim() : '',
  };
}

function parseFile(raw: unknown, suiteRoot: string): FileOutcome {
  if (!isRecord(raw)) throw new JestJsonError('a test result is not an object');
  const name = str(raw.name);
  if (name === '') throw new JestJsonError('a test result has no file name');
  const tests = Array.isArray(raw.assertionResults) ? raw.assertionResults.map(parseTest) : [];
  const start = num(raw.startTime);
  const end = num(raw.endTime, start);
  const failedTests = tests.some((t) => t.status === 'failed');
  const message = stripAnsi(str(raw.message)).trim();
  const failed = raw.status === 'failed' || failedTests;
  return {
    file: relativeToSuite(name, suiteRoot),
    status: failed ? 'failed' : 'passed',
    // jest repeats each test's failure in the file message; keep it only when no test carries it
    message: failed && !failedTests ? message : '',
    durationMs: Math.max(0, end - start),
    tests,
  };
}

/** Parses the text of a `jest --json` output file. */
export function parseJestJson(text: string, suiteRoot: string): JestRun {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new JestJsonError(`not JSON: ${(err as Error).message}`);
  }
  if (!isRecord(raw) || !Array.isArray(raw.testResults)) {
    throw new JestJsonError('not a jest --json report (no testResults array)');
  }
  const files = raw.testResults.map((r) => parseFile(r, suiteRoot));
  files.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { startTime: num(raw.startTime), files };
}
