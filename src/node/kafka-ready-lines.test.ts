/**
 * The Kafka lines that tools wait for in a broker's output (src/node/kafka-ready-lines.ts) come only
 * once the broker serves: on a lone node right after its start, in the order Kafka 3.9 logs them; on a
 * node of a two-voter quorum not before the other voter has started (no leader, no unfencing before),
 * and a kafkajs producer writes through the node as soon as "Kafka Server started" is out.
 */
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { bundleNode, freePort } from '../../test/helpers/process-cluster.js';
import { KAFKA_RUNNING_LINE, KAFKA_STARTED_LINE } from './kafka-ready-lines.js';

const { Kafka, logLevel } = kafkajs;

interface LoggedNode {
  readonly child: ChildProcess;
  /** Each message logged, with the time it was read. */
  readonly messages: Array<{ msg: string; at: number }>;
  /** Resolves once a message equal to `msg` was logged. */
  logged(msg: string): Promise<number>;
}

function startNode(bundle: string, overrides: Record<string, string>): LoggedNode {
  const args = [bundle, ...Object.entries(overrides).flatMap(([k, v]) => ['--override', `${k}=${v}`])];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, GREGOR_LOG_LEVEL: 'info' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const messages: Array<{ msg: string; at: number }> = [];
  const waiters: Array<{ msg: string; resolve: (at: number) => void }> = [];
  let partial = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      let msg: string;
      try {
        msg = String((JSON.parse(line) as { msg?: unknown }).msg);
      } catch {
        continue;
      }
      const at = Date.now();
      messages.push({ msg, at });
      for (const waiter of waiters.filter((w) => w.msg === msg)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(at);
      }
    }
  });
  return {
    child,
    messages,
    logged: (msg) => {
      const seen = messages.find((m) => m.msg === msg);
      return seen ? Promise.resolve(seen.at) : new Promise((resolve) => waiters.push({ msg, resolve }));
    },
  };
}

const stop = (node: LoggedNode): Promise<void> =>
  new Promise((resolve) => {
    if (node.child.exitCode !== null) return resolve();
    node.child.once('exit', () => resolve());
    node.child.kill('SIGTERM');
  });

t.test('Kafka ready lines', async (t) => {
  const bundle = await bundleNode('test/helpers/node-process.ts');
  const base = mkdtempSync(join(tmpdir(), 'gregor-ready-lines-'));
  t.teardown(() => rmSync(base, { recursive: true, force: true }));

  t.test('a lone node logs them after its start, in Kafka order', async (t) => {
    const [port, controllerPort] = [await freePort(), await freePort()];
    const node = startNode(bundle, {
      'node.id': '1',
      'process.roles': 'broker,controller',
      listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
      'log.dirs': join(base, 'lone'),
    });
    t.teardown(() => stop(node));
    await node.logged(KAFKA_STARTED_LINE);
    const order = node.messages
      .map((m) => m.msg)
      .filter((m) => [KAFKA_RUNNING_LINE, KAFKA_STARTED_LINE, 'Gregor broker started'].includes(m));
    t.same(order, ['Gregor broker started', KAFKA_RUNNING_LINE, KAFKA_STARTED_LINE]);
  });

  t.test('a voter of two logs them once the other voter has started, and serves then', async (t) => {
    const ports = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const voters = `1@127.0.0.1:${ports[1]},2@127.0.0.1:${ports[3]}`;
    const settings = (id: number): Record<string, string> => ({
      'node.id': String(id),
      'process.roles': 'broker,controller',
      listeners: `PLAINTEXT://127.0.0.1:${ports[(id - 1) * 2]},CONTROLLER://127.0.0.1:${ports[(id - 1) * 2 + 1]}`,
      'controller.quorum.voters': voters,
      'cluster.id': 'ready-lines-cluster-01',
      'log.dirs': join(base, `voter-${id}`),
      'offsets.topic.replication.factor': '1',
      'group.initial.rebalance.delay.ms': '0',
    });
    const first = startNode(bundle, settings(1));
    t.teardown(() => stop(first));
    // start() of a node of a larger quorum returns without waiting for the others.
    await first.logged('Gregor broker started');
    const secondSpawnedAt = Date.now();
    const second = startNode(bundle, settings(2));
    t.teardown(() => stop(second));
    const runningAt = await first.logged(KAFKA_RUNNING_LINE);
    t.ok(runningAt >= secondSpawnedAt, 'the RUNNING line comes after the other voter was started');
    await first.logged(KAFKA_STARTED_LINE);
    const kafka = new Kafka({ brokers: [`127.0.0.1:${ports[0]}`], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    const admin = kafka.admin();
    await admin.connect();
    const cluster = await admin.describeCluster();
    await admin.disconnect();
    t.equal(cluster.clusterId, 'ready-lines-cluster-01', 'the node answers at once, without a retry');
  });
});
