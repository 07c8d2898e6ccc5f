/**
 * The jest command line the runner builds, and the check that a jest run really finished.
 *
 * Path patterns and file paths go first, before any option: jest's array options
 * (`--reporters`, `--runTestsByPath`'s neighbours) swallow the positional arguments that
 * follow them, so `--reporters=default src/consumer` reads `src/consumer` as a reporter name
 * and jest stops without running a test. With the positionals first every option that
 * follows has an explicit `=value` or is boolean.
 *
 * A run counts only when jest wrote a fresh results file (the runner deletes the old one
 * before starting), was not interrupted and ran at least one test file; anything else is a
 * loud failure, never a report.
 */

export interface JestArgsInput {
  jsonPath: string;
  maxWorkers: number;
  /** The allowlist's --testNamePattern, if any. */
  namePattern?: string;
  /** jest path patterns (regular expressions), or the exact files when byPath is set. */
  positionals: string[];
  /** Pass positionals as exact paths (--runTestsByPath). */
  byPath: boolean;
}

export function buildJestArgs(input: JestArgsInput): string[] {
  const args = [
    ...input.positionals,
    '--ci',
    '--json',
    `--outputFile=${input.jsonPath}`,
    '--forceExit',
    `--maxWorkers=${input.maxWorkers}`,
    // the suite's config adds jest-junit; the runner wants only the default reporter
    '--reporters=default',
  ];
  if (input.byPath) args.push('--runTestsByPath');
  if (input.namePattern !== undefined) args.push(`--testNamePattern=${input.namePattern}`);
  return args;
}

/** The run-level fields of jest's --json output that say whether the run finished. */
export interface JestRunSummary {
  numTotalTestSuites: number;
  numTotalTests: number;
  numRuntimeErrorTestSuites: number;
  wasInterrupted: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads the run-level summary; undefined when the text is not a jest --json report. */
export function readRunSummary(text: string): JestRunSummary | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(raw) || !Array.isArray(raw.testResults)) return undefined;
  const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return {
    numTotalTestSuites: n(raw.numTotalTestSuites),
    numTotalTests: n(raw.numTotalTests),
    numRuntimeErrorTestSuites: n(raw.numRuntimeErrorTestSuites),
    wasInterrupted: raw.wasInterrupted === true,
  };
}

export interface JestExit {
  code: number | null;
  signal: string | null;
}

/**
 * Why a jest run does not count, or undefined when it does. `resultsText` is the results
 * file as read after the run (undefined when jest wrote none).
 */
export function unfinishedRunReason(exit: JestExit, resultsText: string | undefined): string | undefined {
  if (exit.signal !== null) return `jest was killed by ${exit.signal}`;
  if (resultsText === undefined) return `jest wrote no results file (exit code ${String(exit.code)})`;
  const summary = readRunSummary(resultsText);
  if (summary === undefined) return 'jest wrote a results file that is not a jest --json report';
  if (summary.wasInterrupted) return 'jest reports the run as interrupted';
  if (summary.numTotalTestSuites === 0) return 'jest ran no test file (do the patterns match any spec file?)';
  // exit code 1 with failing tests is a finished run; anything above 1 is jest itself failing
  if (exit.code !== 0 && exit.code !== 1) return `jest exited with code ${String(exit.code)}`;
  return undefined;
}
