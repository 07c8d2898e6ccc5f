/**
 * Sorts the failing tests of a run into likely causes, to write FINDINGS.md and the allowlist:
 * listener the suite could not reach (SSL, SASL_SSL, brokers 1 and 2), an API Gregor does not
 * advertise (named by the kafkajs Broker method in the stack), a Kafka error code, a timeout, or
 * other. A heuristic over names and messages: a person reads the result before an entry lands
 * in allowlist.json.
 */
import type { AllowlistEntry, Cause } from './allowlist.js';
import type { JestRun } from './jest-json.js';

export interface Verdict {
  /** An allowlist cause when the failure is an environment the runner does not provide. */
  cause?: Cause;
  /** A grouping key: "missing API: Broker.initProducerId", "Kafka error: ...", ... */
  group: string;
}

const SSL_PORTS = /ECONNREFUSED [\d.:]*:(9093|9096|9099)\b/;
const SASL_PORTS = /ECONNREFUSED [\d.:]*:(9094|9097|9100)\b/;
const OTHER_BROKERS = /ECONNREFUSED [\d.:]*:(9095|9098)\b/;

/** The kafkajs Broker method nearest the top of a stack, e.g. "initProducerId". */
export function brokerMethod(stack: string): string | undefined {
  for (const m of stack.matchAll(/at (?:async )?Broker\.(?:\[as )?([A-Za-z]+)/g)) {
    if (m[1] !== 'lookupRequest') return m[1];
  }
  return undefined;
}

export function classifyFailure(fullName: string, failure: string): Verdict {
  const first = failure.split('\n').find((l) => l.trim() !== '') ?? '';
  if (/\bSASL\b|SCRAM|OAUTHBEARER/i.test(fullName) || SASL_PORTS.test(failure))
    return { cause: 'needs-sasl', group: 'needs SASL_SSL' };
  if (/\bSSL\b/.test(fullName) || SSL_PORTS.test(failure)) return { cause: 'needs-ssl', group: 'needs SSL' };
  if (OTHER_BROKERS.test(failure)) return { cause: 'needs-3-brokers', group: 'needs brokers 1 and 2' };
  if (/\bACLs?\b/i.test(fullName) || /SECURITY_DISABLED|Security features are disabled/.test(failure)) {
    return { cause: 'needs-acls', group: 'needs ACLs' };
  }
  if (/KafkaJSServerDoesNotSupportApiKey|does not support the requested API version/.test(failure)) {
    const method = brokerMethod(failure) ?? '?';
    if (/Acls$/.test(method)) return { cause: 'needs-acls', group: 'needs ACLs' };
    return { group: `missing API: Broker.${method}` };
  }
  const protocol = /KafkaJSProtocolError: (.*)/.exec(failure);
  if (protocol) return { group: `Kafka error: ${protocol[1]!.trim()}` };
  if (/Exceeded timeout of \d+ ?ms|Timeout/i.test(first)) return { group: `timeout: ${first.trim().slice(0, 120)}` };
  if (/ECONNREFUSED/.test(failure)) return { group: 'connection refused (broker down or crashed?)' };
  return { group: `other: ${first.trim().slice(0, 120)}` };
}

export interface TriageGroup {
  group: string;
  cause?: Cause;
  tests: Array<{ file: string; fullName: string; failure: string }>;
}

export function triage(run: JestRun): TriageGroup[] {
  const groups = new Map<string, TriageGroup>();
  for (const file of run.files) {
    const failing = file.tests.filter((t) => t.status === 'failed');
    const items =
      failing.length > 0 ? failing : file.status === 'failed' ? [{ fullName: '(file)', failure: file.message }] : [];
    for (const t of items) {
      const v = classifyFailure(t.fullName, t.failure);
      const g = groups.get(v.group) ?? { group: v.group, ...(v.cause ? { cause: v.cause } : {}), tests: [] };
      g.tests.push({ file: file.file, fullName: t.fullName, failure: t.failure });
      groups.set(v.group, g);
    }
  }
  return [...groups.values()].sort((a, b) => b.tests.length - a.tests.length || (a.group < b.group ? -1 : 1));
}

/** Allowlist entries for the failures the runner's cluster cannot serve (SSL, SASL, 3 brokers, ACLs). */
export function proposeEntries(groups: TriageGroup[]): AllowlistEntry[] {
  return groups.flatMap((g) =>
    g.cause === undefined
      ? []
      : g.tests
          .filter((t) => t.fullName !== '(file)')
          .map((t) => ({ file: t.file, test: t.fullName, cause: g.cause! })),
  );
}

export function renderTriage(groups: TriageGroup[]): string {
  const out = ['| failures | group | example |', '| --: | --- | --- |'];
  for (const g of groups) {
    const ex = g.tests[0]!;
    out.push(
      `| ${g.tests.length} | ${g.group.replace(/\|/g, '\\|')} | ${ex.file}: ${ex.fullName.replace(/\|/g, '\\|')} |`,
    );
  }
  return out.join('\n');
}
