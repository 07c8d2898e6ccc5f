/**
 * kafka-acls.sh as a process (bin/kafka/kafka-acls.sh) against a broker on 127.0.0.1 with the
 * StandardAuthorizer: --add, --list (by resource, by principal), --remove with its y/n question
 * on stdin and with --force, the --producer / --consumer shorthands; the text is Kafka 3.9
 * AclCommand's, byte for byte. Mistakes: Kafka's usage messages and "Error while executing ACL
 * command".
 */
import t from 'tap';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brokerFor } from '../../test/helpers/broker.js';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { kafkaTool } from '../../test/helpers/kafka-tools.js';
import { freePort } from '../../test/helpers/ports.js';
import { STANDARD_AUTHORIZER_CLASS } from '../metadata/standard-authorizer.js';

const pattern = (type: string, name: string, patternType = 'LITERAL'): string =>
  `ResourcePattern(resourceType=${type}, name=${name}, patternType=${patternType})`;
const ace = (principal: string, operation: string, host = '*', permission = 'ALLOW'): string =>
  `(principal=${principal}, host=${host}, operation=${operation}, permissionType=${permission})`;
const block = (title: string, entries: string[]): string =>
  `${title}: \n ${entries.map((e) => `\t${e}`).join('\n')} \n\n`;

t.test('kafka-acls.sh prints what Kafka 3.9 prints', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(120_000);
  const broker = await brokerFor(t, {
    config: { 'authorizer.class.name': STANDARD_AUTHORIZER_CLASS, 'super.users': 'User:ANONYMOUS' },
  });
  const acls = (args: string[], input?: string) =>
    kafkaTool('kafka-acls', ['--bootstrap-server', broker.bootstrap, ...args], input);

  const added = await acls(['--add', '--allow-principal', 'User:alice', '--operation', 'Read', '--topic', 'foo']);
  t.equal(added.code, 0, added.stderr);
  t.equal(added.stdout, block(`Adding ACLs for resource \`${pattern('TOPIC', 'foo')}\``, [ace('User:alice', 'READ')]));

  const producer = await acls([
    '--add',
    '--producer',
    '--topic',
    'orders',
    '--allow-principal',
    'User:bob',
    '--allow-host',
    '10.0.0.1',
  ]);
  t.equal(producer.code, 0, producer.stderr);
  t.equal(
    producer.stdout,
    block(`Adding ACLs for resource \`${pattern('TOPIC', 'orders')}\``, [
      ace('User:bob', 'WRITE', '10.0.0.1'),
      ace('User:bob', 'DESCRIBE', '10.0.0.1'),
      ace('User:bob', 'CREATE', '10.0.0.1'),
    ]),
  );
  const consumer = await acls([
    '--add',
    '--consumer',
    '--topic',
    'orders',
    '--group',
    'billing',
    '--allow-principal',
    'User:carol',
  ]);
  t.equal(consumer.code, 0, consumer.stderr);
  t.equal(
    consumer.stdout,
    block(`Adding ACLs for resource \`${pattern('TOPIC', 'orders')}\``, [
      ace('User:carol', 'READ'),
      ace('User:carol', 'DESCRIBE'),
    ]) + block(`Adding ACLs for resource \`${pattern('GROUP', 'billing')}\``, [ace('User:carol', 'READ')]),
  );
  const denied = await acls([
    '--add',
    '--deny-principal',
    'User:mallory',
    '--operation',
    'Delete',
    '--topic',
    'pay',
    '--resource-pattern-type',
    'prefixed',
  ]);
  t.equal(
    denied.stdout,
    block(`Adding ACLs for resource \`${pattern('TOPIC', 'pay', 'PREFIXED')}\``, [
      ace('User:mallory', 'DELETE', '*', 'DENY'),
    ]),
  );

  const listed = await acls(['--list', '--topic', 'foo']);
  t.equal(listed.code, 0, listed.stderr);
  t.equal(
    listed.stdout,
    block(`Current ACLs for resource \`${pattern('TOPIC', 'foo')}\``, [ace('User:alice', 'READ')]),
  );
  const matching = await acls(['--list', '--topic', 'payments', '--resource-pattern-type', 'match']);
  t.equal(
    matching.stdout,
    block(`Current ACLs for resource \`${pattern('TOPIC', 'pay', 'PREFIXED')}\``, [
      ace('User:mallory', 'DELETE', '*', 'DENY'),
    ]),
    'match: the prefixed ACL that affects the topic',
  );
  const byPrincipal = await acls(['--list', '--principal', 'User:carol']);
  t.equal(byPrincipal.code, 0, byPrincipal.stderr);
  const header = 'ACLs for principal `User:carol`\n';
  t.equal(byPrincipal.stdout.slice(0, header.length), header);
  t.same(
    byPrincipal.stdout
      .slice(header.length)
      .split(/(?<=\n\n)/)
      .sort(),
    [
      block(`Current ACLs for resource \`${pattern('GROUP', 'billing')}\``, [ace('User:carol', 'READ')]),
      block(`Current ACLs for resource \`${pattern('TOPIC', 'orders')}\``, [
        ace('User:carol', 'READ'),
        ace('User:carol', 'DESCRIBE'),
      ]),
    ].sort(),
    "only carol's ACLs, one block per resource",
  );

  // --remove asks first; "n" keeps the ACLs, "y" removes them.
  const question = `Are you sure you want to delete all ACLs for resource filter \`${pattern('TOPIC', 'foo')}\`? (y/n)\n`;
  const kept = await acls(['--remove', '--topic', 'foo'], 'n\n');
  t.equal(kept.code, 0, kept.stderr);
  t.equal(kept.stdout, question);
  t.equal((await acls(['--list', '--topic', 'foo'])).stdout.length > 0, true, 'answered n: still there');
  const removed = await acls(['--remove', '--topic', 'foo'], 'y\n');
  t.equal(removed.stdout, question);
  t.equal((await acls(['--list', '--topic', 'foo'])).stdout, '', 'answered y: gone');
  const unanswered = await acls(['--remove', '--topic', 'orders'], '');
  t.equal(unanswered.code, 1);
  t.match(unanswered.stdout, /\? \(y\/n\)\nError while executing ACL command: no answer on standard input/);

  // Removing named entries: the question lists them; --force asks nothing.
  const named = await acls(
    [
      '--remove',
      '--topic',
      'orders',
      '--allow-principal',
      'User:bob',
      '--allow-host',
      '10.0.0.1',
      '--operation',
      'Write',
    ],
    'y\n',
  );
  t.equal(
    named.stdout,
    `Are you sure you want to remove ACLs: \n \t${ace('User:bob', 'WRITE', '10.0.0.1')} \n from resource filter \`${pattern('TOPIC', 'orders')}\`? (y/n)\n`,
  );
  const forced = await acls([
    '--remove',
    '--force',
    '--producer',
    '--topic',
    'orders',
    '--allow-principal',
    'User:bob',
    '--allow-host',
    '10.0.0.1',
  ]);
  t.equal(forced.code, 0, forced.stderr);
  t.equal(forced.stdout, '');
  const orders = await acls(['--list', '--topic', 'orders']);
  t.equal(
    orders.stdout.split('\n').filter((l) => l.startsWith('\t') || l.startsWith(' \t')).length,
    2,
    "bob's three are gone, carol's two are left",
  );
  t.notMatch(orders.stdout, /User:bob/);

  // Mistakes.
  const noPrincipal = await acls(['--add', '--topic', 'foo']);
  t.equal(noPrincipal.code, 1);
  t.match(
    noPrincipal.stderr,
    /^You must specify one of: --allow-principal, --deny-principal when trying to add ACLs\.\nOption/,
  );
  const anyOnAdd = await acls([
    '--add',
    '--topic',
    'foo',
    '--allow-principal',
    'User:a',
    '--resource-pattern-type',
    'any',
  ]);
  t.match(anyOnAdd.stderr, /^A '--resource-pattern-type' value of 'ANY' is not valid when adding acls\.\n/);
  const noResource = await acls(['--add', '--allow-principal', 'User:a']);
  t.match(
    noResource.stderr,
    /^You must provide at least one resource: --topic <topic> or --cluster or --group <group>/,
  );
  const badOperation = await acls(['--add', '--group', 'g', '--allow-principal', 'User:a', '--operation', 'Write']);
  t.match(badOperation.stderr, /^ResourceType GROUP only supports operations Read, Describe, Delete, All\n/);
  const badPrincipal = await acls(['--add', '--topic', 'foo', '--allow-principal', 'alice']);
  t.equal(badPrincipal.code, 1);
  t.equal(
    badPrincipal.stdout,
    'Error while executing ACL command: expected a string in format principalType:principalName but got alice\n',
  );
  const listWithProducer = await acls(['--list', '--producer', '--topic', 'foo']);
  t.match(listWithProducer.stderr, /^Option "\[list\]" can't be used with option "\[producer\]"/);
  const consumerNoGroup = await acls(['--add', '--consumer', '--topic', 'foo', '--allow-principal', 'User:a']);
  t.match(consumerNoGroup.stderr, /^With --consumer you must specify a --topic and a --group/);
});

t.test(
  'kafka-acls.sh with no broker listening: the admin call times out as Kafka 3.9 says it',
  { skip: CLI_SKIP },
  async (t) => {
    t.setTimeout(60_000);
    const port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'kafka-acls-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const config = join(dir, 'admin.properties');
    await writeFile(config, 'default.api.timeout.ms=1500\n');
    const began = Date.now();
    const listed = await kafkaTool('kafka-acls', [
      '--bootstrap-server',
      `127.0.0.1:${port}`,
      '--command-config',
      config,
      '--list',
    ]);
    t.equal(listed.code, 1);
    t.ok(Date.now() - began >= 1500, 'it tried for default.api.timeout.ms');
    t.equal(
      listed.stdout,
      'Error while executing ACL command: org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: describeAcls\n',
    );
    const added = await kafkaTool('kafka-acls', [
      '--bootstrap-server',
      `127.0.0.1:${port}`,
      '--command-config',
      config,
      '--add',
      '--allow-principal',
      'User:a',
      '--operation',
      'Read',
      '--topic',
      'x',
    ]);
    t.equal(added.code, 1);
    t.match(
      added.stdout,
      /\nError while executing ACL command: org\.apache\.kafka\.common\.errors\.TimeoutException: Timed out waiting for a node assignment\. Call: createAcls\n$/,
    );
  },
);
