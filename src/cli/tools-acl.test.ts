/**
 * `gregor acl list | create | delete` (in this process, test/helpers/cli-in-process.ts; the built
 * binary for the first create and a usage mistake) against a broker with the
 * StandardAuthorizer over SASL_PLAINTEXT/PLAIN, as the super user `admin`; the ACLs made are
 * checked by what `alice` may then do (kafkajs), and kafka-acls.sh-style mistakes exit with 2.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { brokerFor } from '../../test/helpers/broker.js';
import { run, type RunResult } from '../../test/helpers/external.js';
import { CLI_SKIP, GREGOR_BIN } from '../../test/helpers/cli.js';
import { gregorInProcess } from '../../test/helpers/cli-in-process.js';
import { STANDARD_AUTHORIZER_CLASS } from '../metadata/standard-authorizer.js';

const JAAS =
  'org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="admin-pw" user_alice="alice-pw";';

/** The command in this process. */
function gregor(args: string[]): Promise<RunResult> {
  return gregorInProcess(args, { env: { GREGOR_LOG_LEVEL: '' } });
}

/** The built binary, spawned. */
function gregorBinary(args: string[]): Promise<RunResult> {
  return run(process.execPath, [GREGOR_BIN, ...args], { timeoutMs: 60_000, env: { GREGOR_LOG_LEVEL: '' } });
}

t.test('gregor acl create, list and delete', { skip: CLI_SKIP }, async (t) => {
  const running = await brokerFor(t, {
    config: {
      listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
      'listener.security.protocol.map': 'SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT',
      'sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': JAAS,
      'authorizer.class.name': STANDARD_AUTHORIZER_CLASS,
      'super.users': 'User:admin',
    },
  });
  const port = running.broker.bound.find((b) => b.name === 'SASL_PLAINTEXT')!.port;
  const as = (user: string): string[] => [
    '-b',
    `127.0.0.1:${port}`,
    '-X',
    'security.protocol=SASL_PLAINTEXT',
    '-X',
    'sasl.mechanism=PLAIN',
    '-X',
    `sasl.username=${user}`,
    '-X',
    `sasl.password=${user}-pw`,
  ];
  const admin = as('admin');

  const topic = await gregor(['topic', 'create', 'payments', ...admin]);
  t.equal(topic.code, 0, topic.stderr);

  const created = await gregorBinary([
    'acl',
    'create',
    '--allow-principal',
    'User:alice',
    '--operation',
    'Read',
    '--operation',
    'Describe',
    '--topic',
    'payments',
    '--resource-pattern-type',
    'prefixed',
    ...admin,
  ]);
  t.equal(created.code, 0, created.stderr);
  t.match(created.stdout, /TOPIC\s+payments\s+PREFIXED\s+User:alice\s+\*\s+READ\s+ALLOW/);

  const consumer = await gregor([
    'acl',
    'add',
    '--consumer',
    '--allow-principal',
    'User:alice',
    '--topic',
    'orders',
    '--group',
    'billing',
    ...admin,
  ]);
  t.equal(consumer.code, 0, consumer.stderr);
  const denied = await gregor([
    'acl',
    'create',
    '--deny-principal',
    'User:bob',
    '--cluster',
    '--operation',
    'Alter',
    ...admin,
  ]);
  t.equal(denied.code, 0, denied.stderr);

  const listed = await gregor(['acl', 'list', '--format', 'json', ...admin]);
  t.equal(listed.code, 0, listed.stderr);
  const rows = JSON.parse(listed.stdout) as Array<Record<string, string>>;
  t.equal(rows.length, 6, 'two on payments, three from --consumer, one deny');
  t.ok(rows.some((r) => r.resourceType === 'GROUP' && r.resourceName === 'billing' && r.operation === 'READ'));
  t.ok(rows.some((r) => r.resourceType === 'CLUSTER' && r.permission === 'DENY' && r.principal === 'User:bob'));

  const onOrders = await gregor(['acl', 'list', '--topic', 'orders', '--format', 'json', ...admin]);
  t.equal((JSON.parse(onOrders.stdout) as unknown[]).length, 2, 'list --topic filters');
  const byMatch = await gregor([
    'acl',
    'list',
    '--topic',
    'payments-eu',
    '--resource-pattern-type',
    'match',
    '--format',
    'json',
    ...admin,
  ]);
  t.equal((JSON.parse(byMatch.stdout) as unknown[]).length, 2, 'match finds the prefixed ACLs');

  // What alice may do now follows the ACLs.
  const kafka = new Kafka({
    brokers: [`127.0.0.1:${port}`],
    sasl: { mechanism: 'plain', username: 'alice', password: 'alice-pw' },
    logLevel: logLevel.NOTHING,
  });
  const alice = kafka.admin();
  await alice.connect();
  t.same(await alice.listTopics(), ['payments'], 'alice sees the topic the prefixed ACL covers');

  const removed = await gregor([
    'acl',
    'delete',
    '--topic',
    'payments',
    '--resource-pattern-type',
    'prefixed',
    ...admin,
  ]);
  t.equal(removed.code, 0, removed.stderr);
  t.equal(removed.stdout.trim().split('\n').length, 3, 'a heading and the two ACLs deleted');
  t.same(await alice.listTopics(), [], 'alice no longer sees it');
  await alice.disconnect();

  const fromAlice = await gregor(['acl', 'list', ...as('alice')]);
  t.equal(fromAlice.code, 1, 'alice may not describe ACLs');
  t.match(fromAlice.stderr, /CLUSTER_AUTHORIZATION_FAILED/);

  const noResource = await gregor(['acl', 'create', '--allow-principal', 'User:alice', ...admin]);
  t.equal(noResource.code, 2);
  t.match(noResource.stderr, /give a resource/);
  const badOp = await gregorBinary([
    'acl',
    'create',
    '--allow-principal',
    'User:a',
    '--group',
    'g',
    '--operation',
    'Write',
    ...admin,
  ]);
  t.equal(badOp.code, 2);
  t.match(badOp.stderr, /GROUP resources do not take the operation WRITE/);
  const badPrincipal = await gregor(['acl', 'create', '--allow-principal', 'alice', '--topic', 't', ...admin]);
  t.equal(badPrincipal.code, 2);
});
