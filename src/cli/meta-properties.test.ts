/**
 * Issue #12 item 4 through the real CLI: a log dir written by another cluster or another
 * node id stops `gregor start` with one line naming the file and both values; nothing
 * is served from it and the file is left as it was.
 */
import t from 'tap';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_SKIP, runCliToExit, startCli } from '../../test/helpers/cli.js';

function args(logDirs: string, extra: string[] = []): string[] {
  return ['--override', `log.dirs=${logDirs}`, '--override', 'listeners=PLAINTEXT://127.0.0.1:0', ...extra];
}

function clusterIdIn(dir: string): string {
  return /cluster\.id=(\S+)/.exec(readFileSync(join(dir, 'meta.properties'), 'utf8'))![1]!;
}

t.test('cluster id, node id and a foreign second log dir are checked at start', { skip: CLI_SKIP }, async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'gregor-meta-cli-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const data = join(root, 'data');
  const first = await startCli(args(data));
  t.equal(await first.stop('SIGTERM'), 0);
  const clusterId = clusterIdIn(data);
  const file = join(data, 'meta.properties');
  const before = readFileSync(file, 'utf8');
  t.match(before, /^node\.id=1$/m);
  t.match(before, /^directory\.id=[A-Za-z0-9_-]{22}$/m);

  const otherCluster = await runCliToExit(args(data, ['--override', 'cluster.id=ZZZZZZZZZZZZZZZZZZZZZZ']));
  t.equal(otherCluster.code, 1, 'cluster.id that differs: exit 1');
  t.equal(otherCluster.output.trim().split('\n').length, 1, 'one line');
  t.match(
    otherCluster.output,
    `${file} has cluster.id ${clusterId}, but the configuration (cluster.id / CLUSTER_ID) has ZZZZZZZZZZZZZZZZZZZZZZ`,
  );

  const envCluster = await runCliToExit(args(data), { CLUSTER_ID: 'YYYYYYYYYYYYYYYYYYYYYY' });
  t.equal(envCluster.code, 1, 'CLUSTER_ID that differs: exit 1');
  t.match(
    envCluster.output,
    `has cluster.id ${clusterId}, but the configuration (cluster.id / CLUSTER_ID) has YYYYYYYYYYYYYYYYYYYYYY`,
  );

  const otherNode = await runCliToExit(
    args(data, ['--override', 'node.id=2', '--override', 'controller.quorum.voters=2@127.0.0.1:1']),
  );
  t.equal(otherNode.code, 1, 'node.id=2 on node 1 data: exit 1');
  t.match(
    otherNode.output,
    `gregor: start-up failed: Stored node id 1 doesn't match previous node id 2 in ${file}. If you moved your data, make sure your configured node id matches. If you intend to create a new node, you should remove all data in your data directories.`,
    "Kafka's MetaPropertiesEnsemble message",
  );

  // A second log dir formatted by another cluster.
  const foreign = join(root, 'foreign');
  mkdirSync(foreign, { recursive: true });
  writeFileSync(
    join(foreign, 'meta.properties'),
    'version=1\ncluster.id=XXXXXXXXXXXXXXXXXXXXXX\nnode.id=1\ndirectory.id=q6Gz6mfuQ1y2kK0e_3nDRw\n',
  );
  const twoDirs = await runCliToExit(args(`${data},${foreign}`));
  t.equal(twoDirs.code, 1, 'a log dir of another cluster: exit 1');
  t.match(
    twoDirs.output,
    `Invalid cluster.id in: ${join(foreign, 'meta.properties')}. Expected ${clusterId}, but read XXXXXXXXXXXXXXXXXXXXXX`,
  );

  t.equal(readFileSync(file, 'utf8'), before, 'meta.properties untouched by the refused starts');
  const again = await startCli(args(data, ['--override', `cluster.id=${clusterId}`]));
  t.equal(await again.stop('SIGTERM'), 0, 'the matching configuration starts');
});
