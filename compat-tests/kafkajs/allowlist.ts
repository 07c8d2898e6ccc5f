/**
 * The allowlist: tests of the kafkajs suite that the runner leaves out, each with a cause.
 *
 * An entry names a spec file and either one test by its full name (`test`) or every test
 * under a describe block (`describe`, matched as a prefix followed by a space). The runner
 * turns the entries into one jest `--testNamePattern` with a negative lookahead, so left-out
 * tests are reported by jest as skipped and their hooks do not run. The pattern is global:
 * it cannot tell two files apart, so an entry's name should be specific enough to be unique.
 * Whole files are left out by listing their top-level describe. Causes are a fixed set,
 * explained in FINDINGS.md.
 */
import { readFileSync } from 'node:fs';

export const CAUSES = {
  'needs-3-brokers': 'needs brokers 1 and 2 (localhost:9095, :9098) or replication factor > 1',
  'needs-ssl': 'needs an SSL listener (9093/9096/9099)',
  'needs-sasl': 'needs a SASL_SSL listener (PLAIN, SCRAM-SHA-256/512) (9094/9097/9100)',
  'needs-oauthbearer': 'needs SASL OAUTHBEARER (the suite runs it as a separate group)',
  'needs-acls': 'needs an authorizer (ACLs)',
  'needs-docker': 'needs docker or the Kafka CLI tools beyond what the runner patches',
  'gregor-bug': 'a Gregor bug, see the named issue in FINDINGS.md',
  'gregor-missing': 'an API or feature Gregor does not have yet, see FINDINGS.md',
  'kafka-version': 'asserts Apache Kafka 2.4 defaults or formats; Gregor follows a newer Kafka',
  'suite-environment':
    'fails without any broker too: the suite depends on the machine it runs on (zlib output, DNS in a private network namespace)',
  flaky: 'timing-dependent in the suite itself (also flaky against Apache Kafka)',
} as const;

export type Cause = keyof typeof CAUSES;

export interface AllowlistEntry {
  file: string;
  /** Exact full name of one test. */
  test?: string;
  /** Every test whose full name starts with this followed by a space. */
  describe?: string;
  cause: Cause;
  /** Free text: issue number, symptom. */
  note?: string;
}

export class AllowlistError extends Error {
  override name = 'AllowlistError';
}

function isCause(value: unknown): value is Cause {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CAUSES, value);
}

export function parseAllowlist(text: string): AllowlistEntry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new AllowlistError(`allowlist is not JSON: ${(err as Error).message}`);
  }
  const list = typeof raw === 'object' && raw !== null && 'entries' in raw ? raw.entries : undefined;
  if (!Array.isArray(list)) throw new AllowlistError('allowlist needs an "entries" array');
  return list.map((item: unknown, i): AllowlistEntry => {
    if (typeof item !== 'object' || item === null) throw new AllowlistError(`entry ${i} is not an object`);
    const e = item as Record<string, unknown>;
    if (typeof e.file !== 'string' || e.file === '') throw new AllowlistError(`entry ${i} has no file`);
    const test = typeof e.test === 'string' ? e.test : undefined;
    const describe = typeof e.describe === 'string' ? e.describe : undefined;
    if ((test === undefined) === (describe === undefined)) {
      throw new AllowlistError(`entry ${i} (${e.file}) needs exactly one of "test" and "describe"`);
    }
    if (!isCause(e.cause)) throw new AllowlistError(`entry ${i} (${e.file}) has unknown cause ${String(e.cause)}`);
    const entry: AllowlistEntry = { file: e.file, cause: e.cause };
    if (test !== undefined) entry.test = test;
    if (describe !== undefined) entry.describe = describe;
    if (typeof e.note === 'string') entry.note = e.note;
    return entry;
  });
}

export function loadAllowlist(path: string): AllowlistEntry[] {
  return parseAllowlist(readFileSync(path, 'utf8'));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** A jest --testNamePattern that matches every test except the allowlisted ones; undefined when none. */
export function skipPattern(entries: AllowlistEntry[]): string | undefined {
  const exact = [...new Set(entries.flatMap((e) => (e.test === undefined ? [] : [escapeRegExp(e.test)])))];
  const prefixes = [...new Set(entries.flatMap((e) => (e.describe === undefined ? [] : [escapeRegExp(e.describe)])))];
  const alternatives: string[] = [];
  if (exact.length > 0) alternatives.push(`(?:${exact.join('|')})$`);
  if (prefixes.length > 0) alternatives.push(`(?:${prefixes.join('|')}) `);
  return alternatives.length === 0 ? undefined : `^(?!${alternatives.join('|')})`;
}

/** The entry that leaves out this test of this file, if any. */
export function entryFor(entries: AllowlistEntry[], file: string, fullName: string): AllowlistEntry | undefined {
  const name = fullName.toLowerCase();
  return entries.find(
    (e) =>
      e.file === file &&
      ((e.test !== undefined && e.test.toLowerCase() === name) ||
        (e.describe !== undefined && name.startsWith(e.describe.toLowerCase() + ' '))),
  );
}
