/** `gregor group list | describe | reset-offsets | delete`. */
import { Command } from 'commander';
import { deleteGroup, describeGroup, listGroups, resetOffsets, type ResetTarget } from '../../client/groups.js';
import { parseFormat, print, table, UsageError } from '../output.js';
import { withCluster, withClusterOptions, type ClusterFlags } from './common.js';
import { cliIo } from '../io.js';

interface FormatFlags extends ClusterFlags {
  format: string;
}

interface ResetFlags extends FormatFlags {
  toEarliest?: boolean;
  toLatest?: boolean;
  toDatetime?: string;
  toOffset?: string;
  shiftBy?: string;
  topic: string[];
  dryRun?: boolean;
}

function resetTarget(flags: ResetFlags): ResetTarget {
  const chosen: ResetTarget[] = [];
  if (flags.toEarliest) chosen.push({ kind: 'earliest' });
  if (flags.toLatest) chosen.push({ kind: 'latest' });
  if (flags.toDatetime !== undefined) {
    const ms = Date.parse(flags.toDatetime);
    if (Number.isNaN(ms))
      throw new UsageError(`--to-datetime takes an ISO date such as 2026-01-31T12:00:00Z, not "${flags.toDatetime}"`);
    chosen.push({ kind: 'datetime', timestampMs: BigInt(ms) });
  }
  if (flags.toOffset !== undefined) {
    if (!/^\d+$/.test(flags.toOffset)) throw new UsageError(`--to-offset takes an offset ≥ 0, not "${flags.toOffset}"`);
    chosen.push({ kind: 'offset', offset: BigInt(flags.toOffset) });
  }
  if (flags.shiftBy !== undefined) {
    if (!/^-?\d+$/.test(flags.shiftBy)) throw new UsageError(`--shift-by takes a whole number, not "${flags.shiftBy}"`);
    chosen.push({ kind: 'shift', by: BigInt(flags.shiftBy) });
  }
  if (chosen.length !== 1)
    throw new UsageError('give exactly one of --to-earliest, --to-latest, --to-datetime, --to-offset, --shift-by');
  return chosen[0]!;
}

export function groupCommand(): Command {
  const group = new Command('group').description('list, describe, reset and delete consumer groups');

  withClusterOptions(group.command('list').alias('ls').description('list groups on every broker'))
    .option('--format <format>', 'table or json', 'table')
    .action(async (flags: FormatFlags) => {
      const format = parseFormat(flags.format);
      const groups = await withCluster(flags, (c) => listGroups(c));
      print(format, groups, () =>
        table(groups as unknown as Array<Record<string, unknown>>, ['groupId', 'state', 'type', 'protocolType']),
      );
    });

  withClusterOptions(
    group.command('describe').description('members, committed offsets and lag of a group').argument('<group>'),
  )
    .option('--format <format>', 'table or json', 'table')
    .action(async (groupId: string, flags: FormatFlags) => {
      const format = parseFormat(flags.format);
      const d = await withCluster(flags, (c) => describeGroup(c, groupId));
      print(format, d, () =>
        [
          `GROUP       ${d.groupId}`,
          `STATE       ${d.state}`,
          `PROTOCOL    ${d.protocolType}${d.protocol ? `/${d.protocol}` : ''}`,
          `MEMBERS     ${d.members.length}`,
          `TOTAL LAG   ${d.totalLag}`,
          '',
          d.members.length > 0
            ? table(d.members as unknown as Array<Record<string, unknown>>, [
                'memberId',
                // Static members (group.instance.id): the column kafka-consumer-groups.sh adds for them.
                ...(d.members.some((m) => m.groupInstanceId) ? ['groupInstanceId'] : []),
                'clientId',
                'host',
                'assignment',
              ])
            : '(no active members)',
          '',
          d.offsets.length > 0
            ? table(d.offsets as unknown as Array<Record<string, unknown>>, [
                'topic',
                'partition',
                'committedOffset',
                'logEndOffset',
                'lag',
                'owner',
              ])
            : '(no committed offsets)',
        ].join('\n'),
      );
    });

  withClusterOptions(
    group
      .command('reset-offsets')
      .description('move a group’s committed offsets (the group must have no active members)')
      .argument('<group>'),
  )
    .option('--to-earliest', 'to the log start offset')
    .option('--to-latest', 'to the log end offset')
    .option('--to-datetime <iso>', 'to the first offset at or after a time')
    .option('--to-offset <offset>', 'to an offset (clamped to the log)')
    .option('--shift-by <n>', 'by n from the committed offset (negative goes back)')
    .option(
      '-t, --topic <topic>',
      'only this topic (repeatable; default: every topic the group has offsets for)',
      (v: string, p: string[]) => [...p, v],
      [] as string[],
    )
    .option('--dry-run', 'show the new offsets, change nothing')
    .option('--format <format>', 'table or json', 'table')
    .action(async (groupId: string, flags: ResetFlags) => {
      const format = parseFormat(flags.format);
      const target = resetTarget(flags);
      const plan = await withCluster(flags, (c) =>
        resetOffsets(c, groupId, target, flags.topic.length > 0 ? flags.topic : null, flags.dryRun ?? false),
      );
      print(format, { dryRun: flags.dryRun ?? false, offsets: plan }, () =>
        [
          table(plan as unknown as Array<Record<string, unknown>>, [
            'topic',
            'partition',
            'currentOffset',
            'newOffset',
          ]),
          flags.dryRun ? '(dry run: nothing was changed)' : `reset ${plan.length} partition(s)`,
        ].join('\n'),
      );
    });

  withClusterOptions(
    group.command('delete').alias('rm').description('delete groups (they must be empty)').argument('<groups...>'),
  ).action(async (groups: string[], flags: ClusterFlags) => {
    await withCluster(flags, async (c) => {
      for (const g of groups) {
        await deleteGroup(c, g);
        cliIo().stdout.write(`deleted group ${g}\n`);
      }
    });
  });
  return group;
}
