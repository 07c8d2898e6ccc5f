/**
 * `gregor user list | create | delete`: SCRAM users (as `kafka-configs.sh --alter
 * --add-config SCRAM-SHA-256=[...] --entity-type users`). The password comes from
 * --password, or is read from stdin (first line; on a terminal, typed without echo).
 */
import { Command } from 'commander';
import {
  DEFAULT_SCRAM_ITERATIONS,
  SCRAM_MECHANISM_CODES,
  deleteScramUser,
  describeScramUsers,
  upsertScramUser,
  type ScramMechanism,
} from '../../client/scram-users.js';
import { parseFormat, print, table, UsageError } from '../output.js';
import { positiveInt, withCluster, withClusterOptions, type ClusterFlags } from './common.js';
import { cliIo } from '../io.js';

interface UserFlags extends ClusterFlags {
  mechanism?: string;
  iterations?: string;
  password?: string;
  format?: string;
}

function mechanismOf(flags: UserFlags): ScramMechanism {
  const m = (flags.mechanism ?? '').toUpperCase();
  if (!(m in SCRAM_MECHANISM_CODES))
    throw new UsageError(
      `--mechanism takes ${Object.keys(SCRAM_MECHANISM_CODES).join(' or ')}, not "${flags.mechanism ?? ''}"`,
    );
  return m as ScramMechanism;
}

/** Reads a password: hidden on a terminal, else the first line of stdin. */
async function readPassword(): Promise<string> {
  const stdin = cliIo().stdin;
  if (stdin.isTTY) {
    cliIo().stderr.write('Password: ');
    stdin.setRawMode?.(true);
    stdin.resume();
    try {
      let typed = '';
      for await (const chunk of stdin) {
        for (const ch of String(chunk)) {
          if (ch === '\r' || ch === '\n') return typed;
          if (ch === '\u0003') throw new UsageError('cancelled');
          if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
          else typed += ch;
        }
      }
      return typed;
    } finally {
      stdin.setRawMode?.(false);
      stdin.pause();
      cliIo().stderr.write('\n');
    }
  }
  let text = '';
  for await (const chunk of stdin) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}

export function userCommand(): Command {
  const user = new Command('user').description('list, create and delete SCRAM users');

  withClusterOptions(
    user
      .command('list')
      .alias('ls')
      .description('SCRAM users with their mechanisms and iteration counts')
      .argument('[users...]'),
  )
    .option('--format <format>', 'table or json', 'table')
    .action(async (names: string[], flags: UserFlags) => {
      const format = parseFormat(flags.format ?? 'table');
      const rows = await withCluster(flags, (c) => describeScramUsers(c, names.length > 0 ? names : null));
      print(format, rows, () =>
        table(rows as unknown as Array<Record<string, unknown>>, ['user', 'mechanism', 'iterations']),
      );
    });

  withClusterOptions(
    user.command('create').description('create a SCRAM user, or set a new password').argument('<user>'),
  )
    .requiredOption('--mechanism <mechanism>', 'SCRAM-SHA-256 or SCRAM-SHA-512')
    .option('--iterations <n>', 'PBKDF2 iterations (the broker accepts 4096-16384)', String(DEFAULT_SCRAM_ITERATIONS))
    .option('--password <password>', 'the password (else read from stdin, or typed without echo on a terminal)')
    .action(async (name: string, flags: UserFlags) => {
      const mechanism = mechanismOf(flags);
      const iterations = positiveInt('--iterations', flags.iterations ?? String(DEFAULT_SCRAM_ITERATIONS));
      if (name === '') throw new UsageError('the user name is empty');
      const password = flags.password ?? (await readPassword());
      if (password === '') throw new UsageError('the password is empty');
      await withCluster(flags, (c) => upsertScramUser(c, name, mechanism, password, iterations));
      cliIo().stdout.write(`user ${name}: ${mechanism} credential set (${iterations} iterations)\n`);
    });

  withClusterOptions(
    user.command('delete').description("delete a SCRAM user's credential for one mechanism").argument('<user>'),
  )
    .requiredOption('--mechanism <mechanism>', 'SCRAM-SHA-256 or SCRAM-SHA-512')
    .action(async (name: string, flags: UserFlags) => {
      const mechanism = mechanismOf(flags);
      await withCluster(flags, (c) => deleteScramUser(c, name, mechanism));
      cliIo().stdout.write(`user ${name}: ${mechanism} credential deleted\n`);
    });

  return user;
}
