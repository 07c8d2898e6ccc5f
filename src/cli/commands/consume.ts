/**
 * `gregor consume TOPIC`: reads from the beginning, the end, an offset or a time, with
 * or without a group (a classic consumer group member that commits its position),
 * read_committed or not, printing values, key+value or JSON lines. Stops after -n
 * messages, at the end of the partitions with --exit, or on Ctrl-C / SIGTERM, after
 * which a group member commits and leaves the group.
 */
import { Command } from 'commander';
import type { Cluster } from '../../client/cluster.js';
import { Fetcher, type ConsumedRecord } from '../../client/consumer.js';
import { GroupMember } from '../../client/group-member.js';
import { commitOffsets, fetchCommittedOffsets } from '../../client/group-offsets.js';
import { EARLIEST, LATEST, listOffsets } from '../../client/offsets.js';
import { UsageError } from '../output.js';
import { positiveInt, withCluster, withClusterOptions, type ClusterFlags } from './common.js';
import { cliIo } from '../io.js';

interface ConsumeFlags extends ClusterFlags {
  fromBeginning?: boolean;
  fromEnd?: boolean;
  offset?: string;
  fromTimestamp?: string;
  num?: string;
  group?: string;
  isolation: string;
  format: string;
  partition: string[];
  exit?: boolean;
  keySeparator: string;
}

type Start = { kind: 'spec'; spec: bigint } | { kind: 'offset'; offset: bigint };

function startFrom(flags: ConsumeFlags): Start | null {
  const given: Start[] = [];
  if (flags.fromBeginning) given.push({ kind: 'spec', spec: EARLIEST });
  if (flags.fromEnd) given.push({ kind: 'spec', spec: LATEST });
  if (flags.offset !== undefined) {
    if (!/^\d+$/.test(flags.offset)) throw new UsageError(`--offset takes an offset ≥ 0, not "${flags.offset}"`);
    given.push({ kind: 'offset', offset: BigInt(flags.offset) });
  }
  if (flags.fromTimestamp !== undefined) {
    const ms = /^\d+$/.test(flags.fromTimestamp) ? Number(flags.fromTimestamp) : Date.parse(flags.fromTimestamp);
    if (Number.isNaN(ms))
      throw new UsageError(`--from-timestamp takes ms since the epoch or an ISO date, not "${flags.fromTimestamp}"`);
    given.push({ kind: 'spec', spec: BigInt(ms) });
  }
  if (given.length > 1)
    throw new UsageError('give at most one of --from-beginning, --from-end, --offset, --from-timestamp');
  return given[0] ?? null;
}

function render(record: ConsumedRecord, format: string, separator: string): string {
  const text = (b: Buffer | null): string | null => (b === null ? null : b.toString('utf8'));
  if (format === 'value') return text(record.value) ?? '';
  if (format === 'kv') return `${text(record.key) ?? ''}${separator}${text(record.value) ?? ''}`;
  return JSON.stringify({
    topic: record.topic,
    partition: record.partition,
    offset: String(record.offset),
    timestamp: String(record.timestamp),
    key: text(record.key),
    value: text(record.value),
    headers: Object.fromEntries(record.headers.map((h) => [h.key, text(h.value)])),
  });
}

async function resolveStart(
  cluster: Cluster,
  topic: string,
  partitions: number[],
  start: Start,
): Promise<Map<number, bigint>> {
  if (start.kind === 'offset') return new Map(partitions.map((p) => [p, start.offset]));
  const found = await listOffsets(cluster, topic, partitions, start.spec);
  if (start.spec >= 0n) {
    const ends = await listOffsets(cluster, topic, partitions, LATEST);
    for (const p of partitions) if ((found.get(p) ?? -1n) < 0n) found.set(p, ends.get(p) ?? 0n);
  }
  return found;
}

export function consumeCommand(): Command {
  return withClusterOptions(new Command('consume').description('print messages of a topic').argument('<topic>'))
    .option('--from-beginning', 'start at the log start offset')
    .option('--from-end', 'start at the log end offset (only new messages)')
    .option('--offset <offset>', 'start at this offset in every partition read')
    .option('--from-timestamp <time>', 'start at the first message at or after a time (ms or ISO date)')
    .option('-n, --num <count>', 'stop after this many messages')
    .option('-g, --group <group>', 'consume as a member of this consumer group, committing offsets')
    .option(
      '-p, --partition <n>',
      'read only this partition (repeatable; not with --group)',
      (v: string, p: string[]) => [...p, v],
      [] as string[],
    )
    .option('--isolation <level>', 'read_uncommitted or read_committed', 'read_uncommitted')
    .option(
      '--format <format>',
      'value, kv (key<sep>value) or json (with partition, offset, timestamp, headers)',
      'value',
    )
    .option('--key-separator <sep>', 'separator for --format kv', '\t')
    .option('-e, --exit', 'stop at the end of the partitions instead of waiting for more')
    .action(async (topic: string, flags: ConsumeFlags) => {
      if (!['value', 'kv', 'json'].includes(flags.format))
        throw new UsageError(`--format takes value, kv or json, not "${flags.format}"`);
      if (flags.isolation !== 'read_uncommitted' && flags.isolation !== 'read_committed')
        throw new UsageError(`--isolation takes read_uncommitted or read_committed, not "${flags.isolation}"`);
      if (flags.group && flags.partition.length > 0)
        throw new UsageError('--partition and --group do not go together: a group assigns partitions');
      const limit = flags.num === undefined ? Infinity : positiveInt('--num', flags.num);
      const start = startFrom(flags);
      const isolationLevel = flags.isolation === 'read_committed' ? 1 : 0;
      let stopping = false;
      const stop = (): void => {
        stopping = true;
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      let printed = 0;
      try {
        await withCluster(flags, async (cluster) => {
          const all = [...(await cluster.withRetries(`Metadata ${topic}`, () => cluster.leaders(topic))).keys()].sort(
            (a, b) => a - b,
          );
          const member = flags.group
            ? new GroupMember(cluster, {
                groupId: flags.group,
                topic,
                sessionTimeoutMs: 30_000,
                heartbeatIntervalMs: 3_000,
              })
            : null;
          let fetcher: Fetcher | null = null;
          let lastHeartbeat = 0;
          const assign = async (): Promise<void> => {
            const partitions = member
              ? await member.join()
              : flags.partition.length > 0
                ? flags.partition.map((p) => Number(p))
                : all;
            for (const p of partitions) if (!all.includes(p)) throw new Error(`${topic} has no partition ${p}`);
            let positions = await resolveStart(
              cluster,
              topic,
              partitions,
              start ?? { kind: 'spec', spec: member ? LATEST : EARLIEST },
            );
            if (member && partitions.length > 0) {
              const committed = await fetchCommittedOffsets(cluster, flags.group!, [{ topic, partitions }]);
              const fallback = positions;
              positions = new Map(
                partitions.map((p) => [p, committed.find((c) => c.partition === p)?.offset ?? fallback.get(p) ?? 0n]),
              );
            }
            fetcher = new Fetcher(
              cluster,
              topic,
              [...positions].map(([partition, offset]) => ({ partition, offset })),
              { isolationLevel, maxWaitMs: 500, partitionMaxBytes: 1024 * 1024 },
            );
            lastHeartbeat = Date.now();
          };
          const commit = async (): Promise<void> => {
            if (!member || !fetcher || member.memberId === '') return;
            const offsets = [...fetcher.positions].map(([partition, offset]) => ({ topic, partition, offset }));
            if (offsets.length > 0)
              await commitOffsets(
                cluster,
                flags.group!,
                { generationId: member.generationId, memberId: member.memberId },
                offsets,
              );
          };
          await assign();
          const ends = flags.exit
            ? await listOffsets(cluster, topic, [...fetcher!.positions.keys()], LATEST, isolationLevel)
            : null;
          while (!stopping && printed < limit) {
            if (member && Date.now() - lastHeartbeat >= 3_000) {
              await member.heartbeat();
              lastHeartbeat = Date.now();
              if (member.needsRejoin) {
                await commit().catch(() => undefined);
                await assign();
                continue;
              }
            }
            const current: Fetcher = fetcher!;
            if (current.positions.size === 0) {
              if (flags.exit) break;
              await new Promise((resolve) => setTimeout(resolve, 500));
              continue;
            }
            const records = await current.poll();
            for (const record of records) {
              if (printed >= limit) {
                // Not printed: the position (and so a commit) must not pass it.
                const position = current.positions.get(record.partition) ?? 0n;
                if (record.offset < position) current.positions.set(record.partition, record.offset);
                continue;
              }
              cliIo().stdout.write(`${render(record, flags.format, flags.keySeparator)}\n`);
              printed++;
            }
            if (ends && [...current.positions].every(([p, offset]) => offset >= (ends.get(p) ?? 0n))) break;
          }
          await commit();
          await member?.leave().catch(() => undefined);
        });
      } finally {
        process.removeListener('SIGINT', stop);
        process.removeListener('SIGTERM', stop);
      }
      cliIo().stderr.write(`consumed ${printed} message(s)\n`);
    });
}
