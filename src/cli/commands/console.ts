/**
 * `gregor console`: the web console against any Kafka-compatible cluster. With `--login`, each
 * browser user signs in (HTTP Basic) and the console connects as them with the SASL mechanism of
 * the -X / --command-config settings, so the cluster's own authentication and ACLs apply.
 */
import { Command } from 'commander';
import { startConsole } from '../../console/server.js';
import { UsageError } from '../output.js';
import type { Cluster } from '../../client/cluster.js';
import type { ConsoleOptions } from '../../console/server.js';
import { clusterFrom, securityFrom, securityPropsFrom, withClusterOptions, type ClusterFlags } from './common.js';
import { cliIo } from '../io.js';

const CREDENTIAL_KEYS = ['sasl.username', 'sasl.password', 'sasl.jaas.config'];

/** The console's access: one client from the settings, or a client per signed-in user. */
function accessFrom(flags: ClusterFlags & { login?: boolean }): {
  options: Omit<ConsoleOptions, 'readOnly'>;
  shared?: Cluster;
} {
  if (!flags.login) {
    const cluster = clusterFrom(flags);
    return { options: { cluster }, shared: cluster };
  }
  const props = securityPropsFrom(flags);
  const given = CREDENTIAL_KEYS.filter((k) => props[k] !== undefined);
  if (given.length > 0)
    throw new UsageError(`--login takes the user name and password from the browser: drop ${given.join(', ')}`);
  const loginNeeds =
    '--login needs security.protocol=SASL_PLAINTEXT or SASL_SSL with sasl.mechanism PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512';
  if (!/^SASL_(PLAINTEXT|SSL)$/i.test(props['security.protocol'] ?? '')) throw new UsageError(loginNeeds);
  // Placeholders so the settings check as a whole; every user's own credentials replace them.
  const security = securityFrom(flags, { ...props, 'sasl.username': '-', 'sasl.password': '-' });
  const sasl = security.sasl;
  if (sasl === undefined || sasl.mechanism === 'OAUTHBEARER') throw new UsageError(loginNeeds);
  clusterFrom(flags, security).close(); // checks the remaining flags now rather than at the first sign-in
  return {
    options: {
      login: {
        kind: 'login',
        mechanism: sasl.mechanism,
        open: (user) => clusterFrom(flags, { ...security, sasl: user }),
      },
    },
  };
}

export function consoleCommand(): Command {
  return withClusterOptions(new Command('console').description('serve the web console for a cluster'))
    .option('-l, --listen <host:port>', 'where the console listens', '127.0.0.1:8080')
    .option('--read-only', 'refuse every change (console.read.only=true)')
    .option('--login', 'each browser user signs in and acts as their own SASL user (PLAIN or SCRAM)')
    .action(async (flags: ClusterFlags & { listen: string; readOnly?: boolean; login?: boolean }) => {
      const at = flags.listen.lastIndexOf(':');
      const host = flags.listen.slice(0, at).replace(/^\[|\]$/g, '');
      const port = Number(flags.listen.slice(at + 1));
      if (at <= 0 || !Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError(`--listen takes host:port, not "${flags.listen}"`);
      const access = accessFrom(flags);
      const running = await startConsole({ ...access.options, readOnly: flags.readOnly ?? false, host, port });
      cliIo().stderr.write(`console on ${running.url}\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          void running.close().then(() => {
            access.shared?.close();
            resolve();
          });
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
