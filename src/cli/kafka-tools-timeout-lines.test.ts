/**
 * An admin call that times out (nothing listening, default.api.timeout.ms spent) in the tools whose
 * main prints the exception (bin/kafka/<tool>.sh as processes): as Kafka's, the failed future's
 * ExecutionException, whose message is `org.apache.kafka.common.errors.TimeoutException: ...`, then
 * (mainNoExit) its stack trace's first line; FeatureCommand prints the message alone, GetOffsetShell
 * after "Error occurred: ", DeleteRecordsCommand per partition; LeaderElectionCommand says "Timeout
 * waiting for election results" and fails with AdminCommandFailedException. Before, the tools printed the
 * admin client's message alone ("Timed out waiting for a node assignment. Call: describeCluster").
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { kafkaTool, withoutClientWarnings } from '../../test/helpers/kafka-tools.js';

/** A port of 19400-19799 that nothing listens on. */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 19400 + Math.floor(Math.random() * 400);
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port in 19400-19799');
}

const TIMEOUT = 'org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call:';

t.test('a timed-out admin call: the first lines Kafka tools print', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(90_000);
  const dir = mkdtempSync(join(tmpdir(), 'gregor-timeout-lines-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'admin.properties');
  writeFileSync(config, 'default.api.timeout.ms=1000\nretry.backoff.ms=50\n');
  const b = `127.0.0.1:${await freePort()}`;
  const stderrOf = async (tool: string, args: string[]) => {
    const r = await kafkaTool(tool, args);
    t.equal(r.code, 1, `${tool} exits 1`);
    return withoutClientWarnings(r.stderr);
  };

  t.equal(
    await stderrOf('kafka-cluster', ['cluster-id', '--bootstrap-server', b, '--config', config]),
    `${TIMEOUT} describeCluster\njava.util.concurrent.ExecutionException: ${TIMEOUT} describeCluster\n`,
  );
  t.equal(
    await stderrOf('kafka-features', ['--bootstrap-server', b, '--command-config', config, 'describe']),
    `${TIMEOUT} describeFeatures\n`,
  );
  t.equal(
    await stderrOf('kafka-get-offsets', ['--bootstrap-server', b, '--topic', 't', '--command-config', config]),
    `Error occurred: ${TIMEOUT} listTopics\njava.util.concurrent.ExecutionException: ${TIMEOUT} listTopics\n`,
  );
  t.match(
    await stderrOf('kafka-log-dirs', ['--bootstrap-server', b, '--describe', '--command-config', config]),
    new RegExp(`^${TIMEOUT} \\w+\\njava\\.util\\.concurrent\\.ExecutionException: ${TIMEOUT} \\w+\\n$`),
  );
  t.match(
    await stderrOf('kafka-metadata-quorum', [
      '--bootstrap-server',
      b,
      '--command-config',
      config,
      'describe',
      '--status',
    ]),
    new RegExp(`^${TIMEOUT} \\w+\\njava\\.util\\.concurrent\\.ExecutionException: ${TIMEOUT} \\w+\\n$`),
  );
  const election = await kafkaTool('kafka-leader-election', [
    '--bootstrap-server',
    b,
    '--election-type',
    'preferred',
    '--all-topic-partitions',
    '--admin.config',
    config,
  ]);
  t.equal(election.code, 1);
  t.equal(election.stdout, 'Timeout waiting for election results\n');
  t.equal(
    withoutClientWarnings(election.stderr),
    'Timeout waiting for election results\norg.apache.kafka.server.common.AdminCommandFailedException: Timeout waiting for election results\n',
  );
  const json = join(dir, 'offsets.json');
  writeFileSync(json, '{"partitions":[{"topic":"t","partition":0,"offset":1}],"version":1}');
  const deleted = await kafkaTool('kafka-delete-records', [
    '--bootstrap-server',
    b,
    '--offset-json-file',
    json,
    '--command-config',
    config,
  ]);
  t.match(deleted.stdout, new RegExp(`\\npartition: t-0\\terror: ${TIMEOUT} \\w+\\n$`));
});
