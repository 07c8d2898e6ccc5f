/** `gregor cluster info`: brokers, the active controller and the metadata quorum. */
import { Command } from 'commander';
import { clusterInfo } from '../../client/cluster-info.js';
import { parseFormat, print, table } from '../output.js';
import { withCluster, withClusterOptions, type ClusterFlags } from './common.js';

export function clusterCommand(): Command {
  const cluster = new Command('cluster').description('brokers, controller and quorum');
  withClusterOptions(
    cluster
      .command('info')
      .description('brokers, the active controller and the metadata quorum (leader, epoch, voters and their lag)'),
  )
    .option('--format <format>', 'table or json', 'table')
    .action(async (flags: ClusterFlags & { format: string }) => {
      const format = parseFormat(flags.format);
      const info = await withCluster(flags, (c) => clusterInfo(c));
      print(format, info, () =>
        [
          `CLUSTER ID   ${info.clusterId ?? '-'}`,
          `CONTROLLER   ${info.controllerId}`,
          '',
          table(info.brokers, ['id', 'host', 'port', 'rack']),
          '',
          info.quorum
            ? [
                `QUORUM LEADER ${info.quorum.leaderId}  EPOCH ${info.quorum.leaderEpoch}  HIGH WATERMARK ${info.quorum.highWatermark}`,
                table(info.quorum.replicas as unknown as Array<Record<string, unknown>>, [
                  'id',
                  'role',
                  'logEndOffset',
                  'lag',
                ]),
              ].join('\n')
            : '(the cluster does not answer DescribeQuorum)',
        ].join('\n'),
      );
    });
  return cluster;
}
