/**
 * The KRaft quickstart's first steps with Kafka's own words, run as processes: a cluster id from
 * kafka-storage.sh random-uuid, kafka-storage.sh format --standalone -t <id> -c <Kafka 3.9's
 * reconfig-server.properties>, then kafka-server-start.sh on that file: the node serves with the
 * formatted cluster id (DescribeCluster through kafka-cluster.sh). Then the mistakes Kafka refuses
 * the same way: formatting twice (and -g), a missing --cluster-id, --standalone on a broker, a
 * controller without voters and without --standalone, a bad cluster id. (-daemon: kafka-server-daemon.test.ts.)
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { freePort } from '../../test/helpers/ports.js';
import { KAFKA_BIN, kafkaTool, TOOL_ENV } from '../../test/helpers/kafka-tools.js';

/** Kafka 3.9's config/kraft/reconfig-server.properties, with ports and the log dir of this test. */
function reconfigServerProperties(logDir: string, port: number, controllerPort: number): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.bootstrap.servers=localhost:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'inter.broker.listener.name=PLAINTEXT',
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL',
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    `log.dirs=${logDir}`,
    '',
  ].join('\n');
}

t.test(
  'random-uuid, format --standalone, kafka-server-start: the node serves with that cluster id',
  { skip: CLI_SKIP },
  async (t) => {
    t.setTimeout(90_000);
    const dir = mkdtempSync(join(tmpdir(), 'gregor-format-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const logDir = join(dir, 'kraft-combined-logs');
    const config = join(dir, 'reconfig-server.properties');
    const port = await freePort();
    writeFileSync(config, reconfigServerProperties(logDir, port, await freePort()));

    const uuid = await kafkaTool('kafka-storage', ['random-uuid']);
    t.equal(uuid.code, 0, uuid.stderr);
    const clusterId = uuid.stdout.trim();
    t.match(clusterId, /^[A-Za-z0-9_-]{22}$/);

    const formatted = await kafkaTool('kafka-storage', ['format', '--standalone', '-t', clusterId, '-c', config]);
    t.equal(formatted.code, 0, formatted.stderr);
    t.equal(formatted.stdout, `Formatting dynamic metadata voter directory ${logDir} with metadata.version 3.9-IV0.\n`);
    t.match(readFileSync(join(logDir, 'meta.properties'), 'utf8'), new RegExp(`cluster\\.id=${clusterId}\\n`));

    const again = await kafkaTool('kafka-storage', ['format', '--standalone', '-t', clusterId, '-c', config]);
    t.equal(again.code, 1);
    t.equal(
      again.stderr,
      `Log directory ${logDir} is already formatted. Use --ignore-formatted to ignore this directory and format the others.\n`,
    );
    const ignored = await kafkaTool('kafka-storage', ['format', '-g', '--standalone', '-t', clusterId, '-c', config]);
    t.same([ignored.code, ignored.stdout], [0, 'All of the log directories are already formatted.\n']);

    const server = spawn(`${KAFKA_BIN}kafka-server-start.sh`, [config], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...TOOL_ENV },
    });
    let stderr = '';
    server.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
    t.teardown(async () => {
      server.kill('SIGTERM');
      await exited;
    });
    let id: { code: number | null; stdout: string; stderr: string } = { code: null, stdout: '', stderr: '' };
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      id = await kafkaTool('kafka-cluster', ['cluster-id', '--bootstrap-server', `127.0.0.1:${port}`]);
      if (id.code === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    t.equal(id.stdout, `Cluster ID: ${clusterId}\n`, `the started node has the formatted cluster id ${stderr}`);
  },
);

t.test('format refuses what Kafka refuses', { skip: CLI_SKIP }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gregor-format-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, lines: string[]): string => {
    const path = join(dir, name);
    writeFileSync(path, [...lines, `log.dirs=${join(dir, name + '-logs')}`, ''].join('\n'));
    return path;
  };
  const controller = write('controller.properties', [
    'process.roles=controller',
    'node.id=3',
    'controller.listener.names=CONTROLLER',
    'listeners=CONTROLLER://127.0.0.1:19093',
  ]);
  const broker = write('broker.properties', [
    'process.roles=broker',
    'node.id=4',
    'controller.quorum.voters=3@127.0.0.1:19093',
  ]);
  // A third combined node whose voters were copied from a two-node cluster; a broker-only node that
  // took a voter's id; a value KafkaConfig cannot parse: Kafka's format reads the file as KafkaConfig
  // and stops there. Gregor formatted them (gregor start refused them later).
  const notAVoter = write('not-a-voter.properties', [
    'process.roles=broker,controller',
    'node.id=3',
    'controller.quorum.voters=1@127.0.0.1:19091,2@127.0.0.1:19092',
    'controller.listener.names=CONTROLLER',
    'listeners=PLAINTEXT://127.0.0.1:9094,CONTROLLER://127.0.0.1:19093',
  ]);
  const brokerVoter = write('broker-voter.properties', [
    'process.roles=broker',
    'node.id=3',
    'controller.quorum.voters=3@127.0.0.1:19093',
  ]);
  const badValue = write('bad-value.properties', [
    'process.roles=broker',
    'node.id=4',
    'controller.quorum.voters=3@127.0.0.1:19093',
    'num.partitions=three',
  ]);
  const id = 'MkU3OEVBNTcwNTJENDM2Qg';
  const cases: Array<[string[], RegExp]> = [
    [
      ['format', '-t', id, '-c', notAVoter],
      /^Exception in thread "main" java\.lang\.IllegalArgumentException: requirement failed: If process\.roles contains the 'controller' role, the node id 3 must be included in the set of voters controller\.quorum\.voters=Set\(1, 2\)\n$/,
    ],
    [
      ['format', '-t', id, '-c', brokerVoter],
      /requirement failed: If process\.roles contains just the 'broker' role, the node id 3 must not be included in the set of voters controller\.quorum\.voters=Set\(3\)/,
    ],
    [['format', '-t', id, '-c', badValue], /invalid value for num\.partitions: "three"/],
    [['format', '-c', controller], /the following arguments are required: --cluster-id\/-t/],
    [
      ['format', '-t', id, '-c', controller],
      /you must specify one of the following: --standalone, --initial-controllers, or --no-initial-controllers\./,
    ],
    [['format', '--standalone', '-t', id, '-c', broker], /You can only use --standalone on a controller\./],
    [['format', '-t', 'not-a-uuid', '-c', broker], /does not appear to be a valid UUID/],
    [
      ['format', '-t', id, '-c', broker, '--initial-controllers', '3@127.0.0.1:19093:AAAAAAAAAAAAAAAAAAAAAA'],
      /dynamic quorums/,
    ],
    [['format', '-t', id, '-c', broker, '--release-version', '3.7'], /--release-version 3\.7 is not supported/],
  ];
  for (const [args, message] of cases) {
    const r = await kafkaTool('kafka-storage', args);
    t.equal(r.code, 1, args.join(' '));
    t.match(r.stderr, message);
  }
  for (const name of ['not-a-voter', 'broker-voter', 'bad-value'])
    t.notOk(existsSync(join(dir, `${name}.properties-logs`, 'meta.properties')), `${name}: nothing formatted`);
  const ok = await kafkaTool('kafka-storage', ['format', '-t', id, '-c', broker]);
  t.same(
    [ok.code, ok.stdout],
    [0, `Formatting metadata directory ${join(dir, 'broker.properties-logs')} with metadata.version 3.9-IV0.\n`],
  );
});
