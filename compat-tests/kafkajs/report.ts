/**
 * Turns a parsed jest run into RESULTS.md: header (date, commits, cluster), totals, counts per
 * directory, a per-file table, the failing tests with their first error line, and every test's
 * outcome per file in collapsed blocks. Left-out (allowlisted) tests are counted apart from the
 * suite's own skips. Pure: the caller passes the run, the allowlist and the header facts.
 */
import { entryFor, type AllowlistEntry } from './allowlist.js';
import type { FileOutcome, JestRun } from './jest-json.js';

export interface RunFacts {
  date: string;
  kafkajsCommit: string;
  gregorCommit: string;
  cluster: string;
  command: string;
}

export interface Counts {
  files: number;
  tests: number;
  passed: number;
  failed: number;
  skipped: number;
  leftOut: number;
}

type Outcome = 'passed' | 'failed' | 'skipped' | 'left out';

export interface ClassifiedTest {
  fullName: string;
  outcome: Outcome;
  failure: string;
  cause?: string;
}

export interface ClassifiedFile {
  file: string;
  /** Uses the suite's broker helpers (see unit-files.ts). */
  broker: boolean;
  message: string;
  durationMs: number;
  tests: ClassifiedTest[];
  counts: Counts;
}

function emptyCounts(): Counts {
  return { files: 0, tests: 0, passed: 0, failed: 0, skipped: 0, leftOut: 0 };
}

function add(into: Counts, from: Counts): void {
  into.files += from.files;
  into.tests += from.tests;
  into.passed += from.passed;
  into.failed += from.failed;
  into.skipped += from.skipped;
  into.leftOut += from.leftOut;
}

export function classifyFile(file: FileOutcome, allowlist: AllowlistEntry[], broker = false): ClassifiedFile {
  const counts = emptyCounts();
  counts.files = 1;
  const tests = file.tests.map((t): ClassifiedTest => {
    const entry = t.status === 'skipped' ? entryFor(allowlist, file.file, t.fullName) : undefined;
    const outcome: Outcome = entry ? 'left out' : t.status;
    counts.tests++;
    if (outcome === 'passed') counts.passed++;
    else if (outcome === 'failed') counts.failed++;
    else if (outcome === 'skipped') counts.skipped++;
    else counts.leftOut++;
    const result: ClassifiedTest = { fullName: t.fullName, outcome, failure: t.failure };
    if (entry) result.cause = entry.cause;
    return result;
  });
  // a file that failed before any test ran (load error) counts as one failure
  if (file.status === 'failed' && counts.failed === 0) counts.failed = 1;
  return { file: file.file, broker, message: file.message, durationMs: file.durationMs, tests, counts };
}

/** The directory a file is counted under: its first two path segments (src/broker, src/protocol). */
export function directoryOf(file: string): string {
  const parts = file.split('/');
  return parts.length <= 2 ? parts[0]! : parts.slice(0, 2).join('/');
}

export interface Summary {
  total: Counts;
  /** Files that use the suite's broker helpers, and the rest. */
  broker: Counts;
  unit: Counts;
  byDirectory: Array<{ directory: string; counts: Counts }>;
  files: ClassifiedFile[];
}

export function summarize(run: JestRun, allowlist: AllowlistEntry[], brokerFiles: Set<string> = new Set()): Summary {
  const files = run.files.map((f) => classifyFile(f, allowlist, brokerFiles.has(f.file)));
  const total = emptyCounts();
  const broker = emptyCounts();
  const unit = emptyCounts();
  const dirs = new Map<string, Counts>();
  for (const f of files) {
    add(total, f.counts);
    add(f.broker ? broker : unit, f.counts);
    const dir = directoryOf(f.file);
    const counts = dirs.get(dir) ?? emptyCounts();
    add(counts, f.counts);
    dirs.set(dir, counts);
  }
  const byDirectory = [...dirs.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([directory, counts]) => ({ directory, counts }));
  return { total, broker, unit, byDirectory, files };
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** The first informative line of an error: jest's messages start with the error text. */
export function firstLine(message: string, max = 200): string {
  const line =
    message
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '') ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function countsRow(label: string, c: Counts): string {
  return `| ${cell(label)} | ${c.files} | ${c.tests} | ${c.passed} | ${c.failed} | ${c.skipped} | ${c.leftOut} |`;
}

const MARK: Record<Outcome, string> = { passed: '✓', failed: '✗', skipped: '○', 'left out': '–' };

export function renderResults(summary: Summary, facts: RunFacts): string {
  const out: string[] = [];
  out.push('# kafkajs test suite against Gregor', '');
  out.push('Written by `compat-tests/kafkajs/run.ts`; do not edit by hand.', '');
  out.push(`- Date: ${facts.date}`);
  out.push(`- kafkajs commit: \`${facts.kafkajsCommit}\``);
  out.push(`- Gregor commit: \`${facts.gregorCommit}\``);
  out.push(`- Cluster: ${facts.cluster}`);
  out.push(`- Command: \`${facts.command}\``, '');
  const t = summary.total;
  out.push(
    `**${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped, ${t.leftOut} left out** (${t.tests} tests in ${t.files} files).`,
  );
  out.push(
    '',
    'Skipped: skipped by the suite itself (version gates, `test.skip`). Left out: in `allowlist.json`, cause in FINDINGS.md.',
    '',
  );
  out.push(
    '| kind | files | tests | passed | failed | skipped | left out |',
    '| --- | --: | --: | --: | --: | --: | --: |',
  );
  out.push(
    countsRow('broker files (use a broker helper)', summary.broker),
    countsRow('unit files', summary.unit),
    countsRow('**total**', t),
    '',
  );
  out.push('## Per directory', '');
  out.push(
    '| directory | files | tests | passed | failed | skipped | left out |',
    '| --- | --: | --: | --: | --: | --: | --: |',
  );
  for (const d of summary.byDirectory) out.push(countsRow(d.directory, d.counts));
  out.push(countsRow('**total**', t), '');
  out.push('## Per file', '');
  out.push(
    '| file | broker | tests | passed | failed | skipped | left out |',
    '| --- | :-: | --: | --: | --: | --: | --: |',
  );
  for (const f of summary.files) {
    const c = f.counts;
    out.push(
      `| ${cell(f.file)} | ${f.broker ? 'yes' : ''} | ${c.tests} | ${c.passed} | ${c.failed} | ${c.skipped} | ${c.leftOut} |`,
    );
  }
  out.push('');
  const failing = summary.files.filter((f) => f.counts.failed > 0);
  out.push('## Failures', '');
  if (failing.length === 0) out.push('None.', '');
  for (const f of failing) {
    out.push(`### ${f.file}`, '');
    if (f.message !== '') out.push(`- (file) ${cell(firstLine(f.message))}`);
    for (const test of f.tests.filter((x) => x.outcome === 'failed')) {
      out.push(`- \`${cell(test.fullName)}\`: ${cell(firstLine(test.failure))}`);
    }
    out.push('');
  }
  out.push('## Every test', '');
  for (const f of summary.files) {
    out.push(`<details><summary>${f.file}: ${f.counts.passed}/${f.counts.tests} passed</summary>`, '');
    for (const test of f.tests) {
      const cause = test.cause ? ` (${test.cause})` : '';
      out.push(`- ${MARK[test.outcome]} ${cell(test.fullName)}${cause}`);
    }
    out.push('', '</details>', '');
  }
  return out.join('\n');
}

/** One line for the terminal and for CI-style readers: "N passed, N failed, N skipped". */
export function closingLine(total: Counts): string {
  return `${total.passed} passed, ${total.failed} failed, ${total.skipped + total.leftOut} skipped`;
}
