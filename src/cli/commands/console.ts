/** `gregor console`: the web console against any Kafka-compatible cluster. */
import { Command } from 'commander';
import { startConsole } from '../../console/server.js';
import { UsageError } from '../output.js';
import { clusterFrom, withClusterOptions, type ClusterFlags } from './common.js';

export function consoleCommand(): Command {
  return withClusterOptions(new Command('console').description('serve the web console for a cluster'))
    .option('-l, --listen <host:port>', 'where the console listens', '127.0.0.1:8080')
    .option('--read-only', 'refuse every change (console.read.only=true)')
    .action(async (flags: ClusterFlags & { listen: string; readOnly?: boolean }) => {
      const at = flags.listen.lastIndexOf(':');
      const host = flags.listen.slice(0, at).replace(/^\[|\]$/g, '');
      const port = Number(flags.listen.slice(at + 1));
      if (at <= 0 || !Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError(`--listen takes host:port, not "${flags.listen}"`);
      const cluster = clusterFrom(flags);
      const running = await startConsole({ cluster, readOnly: flags.readOnly ?? false, host, port });
      process.stderr.write(`console on ${running.url}\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          void running.close().then(() => {
            cluster.close();
            resolve();
          });
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
