/**
 * The import boundaries of eslint.config.js hold: each rule of ARCHITECTURE.md ("Who may
 * import whom") refuses a forbidden import, and lets an allowed one (or any import in a
 * test) through. Lints source text under made-up file names; nothing is written.
 */
import t from 'tap';
import { join } from 'node:path';
import { ESLint } from 'eslint';

const ROOT = join(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: ROOT });

/** The no-restricted-imports messages for `specifier` imported from `file`. */
async function refusals(file: string, specifier: string): Promise<string[]> {
  const code = `import * as imported from '${specifier}';\nexport const used = imported;\n`;
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const refused: Array<[file: string, specifier: string, why: RegExp]> = [
  ['protocol/records/x.ts', 'node:fs', /no files/],
  ['protocol/records/x.ts', 'node:net', /no sockets/],
  ['protocol/frame-x.ts', '../src/broker/partition.js', /imports nothing of ours/],
  ['storage/x.ts', 'node:net', /no network/],
  ['storage/x.ts', '../src/broker/partition.js', /imports only protocol/],
  ['src/broker/x.ts', '../handlers/table.js', /data path/],
  ['src/broker/x.ts', '../server/services.js', /data path/],
  ['src/broker/x.ts', '../node/broker.js', /data path/],
  ['src/broker/x.ts', '../cli/main.js', /data path/],
  ['src/controller/raft/x.ts', '../../handlers/table.js', /src\/controller/],
  ['src/groups/consumer/x.ts', '../../server/dispatcher.js', /src\/groups/],
  ['src/transactions/x.ts', '../handlers/26-end-txn.js', /src\/transactions/],
  ['src/metadata/x.ts', '../broker/partition.js', /src\/metadata/],
  ['src/server/x.ts', '../handlers/table.js', /handler tables injected/],
  ['src/broker/x.ts', '../sim/network.js', /never imports src\/sim/],
  ['src/handlers/x.ts', '../../test/helpers/topics.js', /test support/],
  ['src/cli/x.ts', '../../bench/raft/quorum-processes.js', /bench/],
  ['storage/x.ts', './test-support.js', /test support/],
];

const allowed: Array<[file: string, specifier: string]> = [
  ['src/handlers/x.ts', '../broker/partition-access.js'],
  ['src/handlers/x.ts', '../server/request-context.js'],
  ['src/node/x.ts', '../handlers/table.js'],
  ['src/broker/x.ts', '../../storage/log.js'],
  ['src/broker/x.ts', '../controller/peer-client.js'],
  ['src/broker/x.test.ts', '../handlers/table.js'],
  ['src/broker/x.test.ts', '../../test/helpers/topics.js'],
  ['test/helpers/x.ts', '../../bench/raft/quorum-processes.js'],
];

t.test('forbidden imports are refused with the rule they break', async (t) => {
  for (const [file, specifier, why] of refused) {
    const messages = await refusals(file, specifier);
    t.match(messages.join('\n'), why, `${file} may not import ${specifier}`);
  }
});

t.test('allowed imports pass', async (t) => {
  for (const [file, specifier] of allowed) t.same(await refusals(file, specifier), [], `${file} imports ${specifier}`);
});
