/**
 * Issue #15 "Cluster id" through the real CLI (bin/gregor.js from dist/): a node of a three-voter
 * quorum without cluster.id / CLUSTER_ID stops at once with one line saying what to set; and of
 * three running processes, the one formatted with another cluster id is not silent: it and the
 * others log INCONSISTENT_CLUSTER_ID errors naming the ids, once per peer (not once per retry).
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../test/helpers/process-cluster.js';
import { CLI_SKIP, runCliToExit, startCli, type RunningCli } from '../../test/helpers/cli.js';

function nodeArgs(id: number, root: string, controllerPorts: number[], extra: string[] = []): string[] {
  const voters = controllerPorts.map((p, i) => `${i + 1}@127.0.0.1:${p}`).join(',');
  return [
    '--override', `node.id=${id}`,
    '--override', `log.dirs=${join(root, `node-${id}`)}`,
    '--override', `listeners=PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:${controllerPorts[id - 1]}`,
    '--override', `controller.quorum.voters=${voters}`,
    '--override', 'controller.quorum.election.timeout.ms=300',
    '--override', 'controller.quorum.request.timeout.ms=500',
    ...extra,
  ]; // prettier-ignore
}

/** Resolves once the node's output matches `pattern` (rejects after `timeoutMs` or when the process exits). */
async function outputMatches(node: RunningCli, pattern: RegExp, timeoutMs: number): Promise<void> {
  if (pattern.test(node.output())) return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => finish(new Error(`no ${pattern} within ${timeoutMs} ms in:\n${node.output()}`)),
      timeoutMs,
    );
    const onData = (): void => {
      if (pattern.test(node.output())) finish(null);
    };
    const onExit = (): void => finish(new Error(`the node exited before ${pattern}:\n${node.output()}`));
    function finish(error: Error | null): void {
      clearTimeout(timer);
      node.child.stdout?.off('data', onData);
      node.child.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    }
    node.child.stdout?.on('data', onData);
    node.child.once('exit', onExit);
  });
}

const errorLines = (node: RunningCli, pattern: RegExp): string[] =>
  node
    .output()
    .split('\n')
    .filter((line) => line.includes('"level":50') && pattern.test(line));

t.test('three voters and no cluster id: start-up fails at once with one line', { skip: CLI_SKIP }, async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'gregor-cluster-id-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const ports = [await freePort(), await freePort(), await freePort()];
  const started = Date.now();
  const result = await runCliToExit(nodeArgs(1, root, ports), { CLUSTER_ID: '' }, 30_000);
  t.equal(result.code, 1, 'exit code 1');
  const lines = result.output.split('\n').filter((l) => l.trim() !== '');
  t.equal(lines.length, 1, `one line: ${result.output}`);
  t.match(
    lines[0],
    /^gregor: start-up failed: no cluster id: controller\.quorum\.voters names 3 voters, which must all share one cluster id; set cluster\.id \(or the CLUSTER_ID environment variable\) to the same value on every node/,
  );
  t.comment(`failed after ${Date.now() - started} ms`);

  const withEnv = await startCli(nodeArgs(1, root, ports), { CLUSTER_ID: 'from-the-environment' });
  t.equal(await withEnv.stop('SIGTERM'), 0, 'CLUSTER_ID is enough to start');
  const fromFile = await startCli(nodeArgs(1, root, ports), { CLUSTER_ID: '' });
  t.equal(await fromFile.stop('SIGTERM'), 0, 'and a meta.properties that has one is enough on the next start');
});

t.test(
  'a node with another cluster id logs the rejections as errors, and so do the others',
  { skip: CLI_SKIP },
  async (t) => {
    const root = mkdtempSync(join(tmpdir(), 'gregor-cluster-id-'));
    t.teardown(() => rmSync(root, { recursive: true, force: true }));
    const ports = [await freePort(), await freePort(), await freePort()];
    const nodes: RunningCli[] = [];
    t.teardown(async () => {
      for (const node of nodes) await node.stop('SIGKILL');
    });
    for (const id of [1, 2, 3]) {
      const clusterId = id === 3 ? 'the-odd-cluster-one' : 'the-real-cluster-id';
      nodes.push(
        await startCli(nodeArgs(id, root, ports, ['--override', `cluster.id=${clusterId}`]), { CLUSTER_ID: '' }),
      );
    }
    const [one, two, odd] = nodes as [RunningCli, RunningCli, RunningCli];
    const rejected =
      /node [12] rejected (Vote|Fetch|BeginQuorumEpoch) with INCONSISTENT_CLUSTER_ID: this node's cluster id is the-odd-cluster-one/;
    const received =
      /node 3 sent (Vote|Fetch|BeginQuorumEpoch|EndQuorumEpoch) for cluster id the-odd-cluster-one, but this node's cluster id is the-real-cluster-id/;
    await outputMatches(odd, rejected, 20_000);
    t.pass('the odd node logs that its requests are rejected');
    await Promise.all([outputMatches(one, received, 20_000), outputMatches(two, received, 20_000)]);
    t.pass('both other nodes log the foreign id they reject, with both ids');

    // The odd node keeps trying elections (each a raft transition, its Votes rejected every time);
    // after several, each peer has still been reported once: once a minute, not once per retry.
    await outputMatches(odd, /("msg":"raft transition"[^\n]*\n[\s\S]*){6}/, 20_000);
    const attempts = odd
      .output()
      .split('\n')
      .filter((l) => l.includes('"msg":"raft transition"')).length;
    for (const peer of [1, 2]) {
      const lines = errorLines(odd, new RegExp(`node ${peer} rejected`));
      t.ok(
        lines.length <= 1,
        `after ${attempts} election transitions, node ${peer}'s rejections were reported ${lines.length} time(s) on the odd node`,
      );
    }
    t.equal(errorLines(one, /node 3 sent/).length, 1, 'node 1 reports node 3 once');
    t.equal(errorLines(odd, /rejected/).length >= 1, true, 'at least one rejection was reported');
  },
);
