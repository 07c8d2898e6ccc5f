/**
 * Test support for consumer-group compat tests: runs external group members (python
 * scripts printing one JSON event per line, kcat) as child processes, keeps what each
 * reported (current assignment, messages, commit errors), stops them cleanly, and
 * checks a group's consumption: every message once, across members and rebalances.
 * Waiting is on conditions polled every 20 ms with a deadline; nothing sleeps blind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Kafka, logLevel } from 'kafkajs';

export interface ConsumedMessage {
  value: string;
  partition: number;
  offset: number;
}

export interface GroupMember {
  readonly name: string;
  /** Current partitions, as the member last reported them. */
  assignment: number[];
  /** Every assignment the member reported, in order (a revocation shows as a change). */
  readonly history: number[][];
  readonly messages: ConsumedMessage[];
  readonly errors: string[];
  /** Partition and offset of each commit the broker refused (commit_error events of the JSON members). */
  readonly refusedCommits: { partition: number; offset: number; error: string }[];
  exited: boolean;
  /** Asks the member to leave cleanly and waits for the process to end. */
  stop(timeoutMs?: number): Promise<void>;
  /** Kills the process if it is still running (teardown). */
  kill(): void;
  stderr(): string;
}

type JsonEvent =
  | { e: 'assignment'; p: number[] }
  | { e: 'msg'; v: string; p: number; o: number }
  | { e: 'commit_error'; p?: number; o?: number; err: string }
  | { e: 'error'; err: string }
  | { e: 'closed' };

/** Polls `condition` every 20 ms until it holds; fails after `ms` with `what` and a description of the state. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  ms: number,
  what: string,
  describe: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} ${describe()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function track(name: string, child: ChildProcess, stopLine: string | null): GroupMember {
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-8000);
  });
  const exitedPromise = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const member: GroupMember = {
    name,
    assignment: [],
    history: [],
    messages: [],
    errors: [],
    refusedCommits: [],
    exited: false,
    async stop(timeoutMs = 20_000) {
      if (member.exited) return;
      if (stopLine !== null) child.stdin?.write(`${stopLine}\n`);
      else child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exitedPromise;
      clearTimeout(timer);
    },
    kill() {
      if (!member.exited) child.kill('SIGKILL');
    },
    stderr: () => err,
  };
  void exitedPromise.then(() => {
    member.exited = true;
  });
  return member;
}

/** Starts a python member script speaking the JSON event protocol of groups_member.py. */
export function startJsonMember(name: string, command: string, args: string[]): GroupMember {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const member = track(name, child, 'stop');
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let event: JsonEvent;
    try {
      event = JSON.parse(line) as JsonEvent;
    } catch {
      member.errors.push(`unparsable line: ${line}`);
      return;
    }
    if (event.e === 'assignment') {
      member.assignment = event.p;
      member.history.push(event.p);
    } else if (event.e === 'msg') member.messages.push({ value: event.v, partition: event.p, offset: event.o });
    else if (event.e !== 'closed') {
      member.errors.push(`${event.e}: ${event.err}`);
      if (event.e === 'commit_error' && event.p !== undefined && event.o !== undefined)
        member.refusedCommits.push({ partition: event.p, offset: event.o, error: event.err });
    }
  });
  return member;
}

/**
 * Starts `kcat -G` printing `msg <partition> <offset> <value>` lines; its rebalance
 * notices on stderr ("... assigned: topic [0], topic [3]" / "revoked: ...") give the assignment.
 */
export function startKcatMember(
  name: string,
  bootstrap: string,
  group: string,
  topic: string,
  extra: string[],
): GroupMember {
  const args = ['-b', bootstrap, '-G', group, '-u', '-f', 'msg %p %o %s\\n', ...extra, topic];
  const child = spawn('kcat', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const member = track(name, child, null);
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const m = /^msg (\d+) (\d+) (.*)$/.exec(line);
    if (m) member.messages.push({ partition: Number(m[1]), offset: Number(m[2]), value: m[3]! });
  });
  const current = new Set<number>();
  createInterface({ input: child.stderr! }).on('line', (line) => {
    // Eager: "rebalanced (memberid ..): assigned: t [0], t [1]"; cooperative: "rebalanced: incremental assignment of 2 partition(s) (...): t [0], t [1]".
    const m = /rebalanced.*?(assigned|revoked|incremental assignment|incremental revoke)\b.*?: ([^:]*)$/.exec(line);
    if (!m) return;
    const partitions = [...m[2]!.matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1]));
    if (m[1] === 'assigned' || m[1] === 'incremental assignment') for (const p of partitions) current.add(p);
    else for (const p of partitions) current.delete(p);
    member.assignment = [...current].sort((a, b) => a - b);
    member.history.push(member.assignment);
  });
  return member;
}

/** True when the running members' assignments are disjoint, cover `partitions`, and each member has some. */
export function balanced(members: GroupMember[], partitions: number): boolean {
  const live = members.filter((m) => !m.exited);
  const all = live.flatMap((m) => m.assignment);
  if (live.some((m) => m.assignment.length === 0)) return false;
  return all.length === partitions && new Set(all).size === partitions;
}

export function describeMembers(members: GroupMember[]): string {
  return members
    .map(
      (m) =>
        `${m.name}${m.exited ? '(exited)' : ''}: [${m.assignment.join(',')}] ${m.messages.length} msgs ${m.errors.length} errors`,
    )
    .join('; ');
}

/** How many times each value was consumed across the members. */
export function consumptionCounts(members: GroupMember[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of members) for (const msg of m.messages) counts.set(msg.value, (counts.get(msg.value) ?? 0) + 1);
  return counts;
}

/** Produces `values` round-robin over `partitions` partitions with kafkajs (acks=all). */
export async function produceSpread(
  bootstrap: string,
  topic: string,
  values: string[],
  partitions: number,
): Promise<void> {
  const kafka = new Kafka({ clientId: 'groups-producer', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({ topic, messages: values.map((value, i) => ({ value, partition: i % partitions })) });
  } finally {
    await producer.disconnect();
  }
}

/** The group's committed offsets summed over the topic's partitions, and its lag (kafkajs admin). */
export async function committedAndLag(
  bootstrap: string,
  group: string,
  topic: string,
): Promise<{ committed: number; lag: number }> {
  const kafka = new Kafka({ clientId: 'groups-admin', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    let committed = 0;
    let lag = 0;
    for (const end of ends) {
      const c = Number(offsets!.partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
      committed += Math.max(c, 0);
      lag += Number(end.high) - Math.max(c, 0);
    }
    return { committed, lag };
  } finally {
    await admin.disconnect();
  }
}
