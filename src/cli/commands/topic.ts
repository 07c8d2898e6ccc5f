/** `gregor topic list | create | describe | alter-config | add-partitions | delete`. */
import { Command } from 'commander';
import {
  addPartitions,
  alterConfigs,
  createTopic,
  deleteTopic,
  describeTopic,
  listTopics,
  RESOURCE_TOPIC,
} from '../../client/topics.js';
import { parseFormat, print, table, UsageError } from '../output.js';
import { collect, keyValues, positiveInt, withCluster, withClusterOptions, type ClusterFlags } from './common.js';
import { cliIo } from '../io.js';

interface FormatFlags extends ClusterFlags {
  format: string;
}

export function topicCommand(): Command {
  const topic = new Command('topic').description('create, list, describe, change and delete topics');

  withClusterOptions(topic.command('list').alias('ls').description('list topics'))
    .option('-i, --internal', 'include internal topics')
    .option('--format <format>', 'table or json', 'table')
    .action(async (flags: FormatFlags & { internal?: boolean }) => {
      const format = parseFormat(flags.format);
      const topics = await withCluster(flags, (c) => listTopics(c, flags.internal ?? false));
      print(format, topics, () =>
        table(topics as unknown as Array<Record<string, unknown>>, [
          'name',
          'partitions',
          'replicationFactor',
          'internal',
        ]),
      );
    });

  withClusterOptions(
    topic.command('create').description('create one or more topics').argument('<topics...>', 'topic names'),
  )
    .option('-p, --partitions <n>', 'number of partitions (default: the broker’s num.partitions)')
    .option('-r, --replication-factor <n>', 'replicas per partition (default: the broker’s default.replication.factor)')
    .option('-c, --config <key=value>', 'a topic config (repeatable)', collect, [])
    .option('--dry-run', 'validate only, create nothing')
    .option('--format <format>', 'table or json', 'table')
    .action(
      async (
        names: string[],
        flags: FormatFlags & { partitions?: string; replicationFactor?: string; config: string[]; dryRun?: boolean },
      ) => {
        const format = parseFormat(flags.format);
        const options = {
          partitions: flags.partitions === undefined ? -1 : positiveInt('--partitions', flags.partitions),
          replicationFactor:
            flags.replicationFactor === undefined ? -1 : positiveInt('--replication-factor', flags.replicationFactor),
          configs: keyValues('--config', flags.config),
          validateOnly: flags.dryRun ?? false,
        };
        const created = await withCluster(flags, async (c) => {
          const out = [];
          for (const name of names)
            out.push({ name, ...(await createTopic(c, name, options)), validateOnly: options.validateOnly });
          return out;
        });
        print(format, created, () =>
          table(created, ['name', 'topicId', 'partitions', 'replicationFactor', 'validateOnly']),
        );
      },
    );

  withClusterOptions(
    topic
      .command('describe')
      .description('partitions (leader, replicas, ISR, offsets) and configs of a topic')
      .argument('<topic>'),
  )
    .option('--format <format>', 'table or json', 'table')
    .option('-a, --all-configs', 'list every config, not only those set on the topic')
    .action(async (name: string, flags: FormatFlags & { allConfigs?: boolean }) => {
      const format = parseFormat(flags.format);
      const detail = await withCluster(flags, (c) => describeTopic(c, name));
      print(format, detail, () => {
        const configs = flags.allConfigs ? detail.configs : detail.configs.filter((c) => c.source !== 'DEFAULT_CONFIG');
        return [
          `NAME         ${detail.name}`,
          `TOPIC ID     ${detail.topicId}`,
          `PARTITIONS   ${detail.partitions}`,
          `REPLICAS     ${detail.replicationFactor}`,
          `INTERNAL     ${detail.internal}`,
          '',
          table(detail.partitionDetails as unknown as Array<Record<string, unknown>>, [
            'partition',
            'leader',
            'leaderEpoch',
            'replicas',
            'isr',
            'offline',
            'logStartOffset',
            'logEndOffset',
          ]),
          '',
          configs.length > 0
            ? table(configs as unknown as Array<Record<string, unknown>>, ['name', 'value', 'source'])
            : '(no config set on the topic; --all-configs lists the defaults)',
        ].join('\n');
      });
    });

  withClusterOptions(topic.command('alter-config').description('set or delete topic configs').argument('<topic>'))
    .option('-s, --set <key=value>', 'set a config (repeatable)', collect, [])
    .option('-d, --delete <key>', 'remove a config, back to the default (repeatable)', collect, [])
    .action(async (name: string, flags: ClusterFlags & { set: string[]; delete: string[] }) => {
      const changes: Record<string, string | null> = { ...keyValues('--set', flags.set) };
      for (const key of flags.delete) changes[key] = null;
      if (Object.keys(changes).length === 0) throw new UsageError('give at least one --set key=value or --delete key');
      await withCluster(flags, (c) => alterConfigs(c, RESOURCE_TOPIC, name, changes));
      cliIo().stdout.write(`altered ${Object.keys(changes).length} config(s) of ${name}\n`);
    });

  withClusterOptions(
    topic.command('add-partitions').description('grow a topic to a total number of partitions').argument('<topic>'),
  )
    .requiredOption('-n, --num <total>', 'the new total number of partitions')
    .action(async (name: string, flags: ClusterFlags & { num: string }) => {
      const total = positiveInt('--num', flags.num);
      await withCluster(flags, (c) => addPartitions(c, name, total));
      cliIo().stdout.write(`${name} now has ${total} partitions\n`);
    });

  withClusterOptions(topic.command('delete').alias('rm').description('delete topics').argument('<topics...>')).action(
    async (names: string[], flags: ClusterFlags) => {
      await withCluster(flags, async (c) => {
        for (const name of names) {
          await deleteTopic(c, name);
          cliIo().stdout.write(`deleted ${name}\n`);
        }
      });
    },
  );
  return topic;
}
