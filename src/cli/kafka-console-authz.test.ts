/**
 * kafka-console-consumer.sh refused by the broker, as Kafka's ConsoleConsumer reports it: the
 * exception its consumer throws from poll() (GroupAuthorizationException "Not authorized to access
 * group: g", TopicAuthorizationException "Not authorized to access topics: [t]",
 * SaslAuthenticationException with the broker's message) after "Error processing message,
 * terminating consumer process", then the count, and exit code 0. kafka-console-producer.sh
 * refused a topic: ErrorLoggingCallback's line with the TopicAuthorizationException (exit 0), or
 * with --sync the ExecutionException around it (exit 1). ACLs are made with kafkajs.
 */
import t from 'tap';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AclEntry } from 'kafkajs';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { brokerWithAdmin, kafkaTool, withoutClientWarnings } from '../../test/helpers/kafka-tools.js';
import { AclOperation, PatternType, PermissionType, ResourceType } from '../metadata/acl-types.js';

const PLAIN_JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret";';

t.test(
  'console consumer and producer: group, topic and login refusals as Kafka reports them',
  { skip: CLI_SKIP },
  async (t) => {
    t.setTimeout(120_000);
    const dir = mkdtempSync(join(tmpdir(), 'gregor-console-authz-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const { broker, admin } = await brokerWithAdmin(t, {
      config: {
        listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
        'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT',
        'sasl.enabled.mechanisms': 'PLAIN',
        'listener.name.sasl_plaintext.plain.sasl.jaas.config': PLAIN_JAAS,
        'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
        'super.users': 'User:ANONYMOUS',
      },
    });
    await admin.createTopics({ topics: [{ topic: 'orders' }, { topic: 'secret' }] });
    const allow = (resourceType: number, resourceName: string, operation: number): AclEntry =>
      ({
        resourceType,
        resourceName,
        resourcePatternType: PatternType.LITERAL,
        principal: 'User:alice',
        host: '*',
        operation,
        permissionType: PermissionType.ALLOW,
      }) as unknown as AclEntry;
    await admin.createAcls({
      acl: [allow(ResourceType.TOPIC, 'orders', AclOperation.READ), allow(ResourceType.GROUP, 'g1', AclOperation.READ)],
    });
    const sasl = broker.broker.bound.find((b) => b.name === 'SASL_PLAINTEXT')!.port;
    const props = (password: string): string => {
      const path = join(dir, `${password}.properties`);
      writeFileSync(
        path,
        [
          'security.protocol=SASL_PLAINTEXT',
          'sasl.mechanism=PLAIN',
          `sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="${password}";`,
          '',
        ].join('\n'),
      );
      return path;
    };
    const consume = (topic: string, group: string, password = 'alice-secret'): ReturnType<typeof kafkaTool> =>
      kafkaTool('kafka-console-consumer', [
        '--bootstrap-server',
        `127.0.0.1:${sasl}`,
        '--consumer.config',
        props(password),
        '--topic',
        topic,
        '--group',
        group,
        '--from-beginning',
        '--max-messages',
        '1',
        '--timeout-ms',
        '10000',
      ]);
    const head =
      'ERROR Error processing message, terminating consumer process:  (org.apache.kafka.tools.consumer.ConsoleConsumer)\n';
    const cases: Array<[Promise<Awaited<ReturnType<typeof kafkaTool>>>, string]> = [
      [
        consume('orders', 'g2'),
        'org.apache.kafka.common.errors.GroupAuthorizationException: Not authorized to access group: g2',
      ],
      [
        consume('secret', 'g1'),
        'org.apache.kafka.common.errors.TopicAuthorizationException: Not authorized to access topics: [secret]',
      ],
      [
        consume('orders', 'g1', 'wrong'),
        'org.apache.kafka.common.errors.SaslAuthenticationException: Authentication failed: Invalid username or password',
      ],
    ];
    for (const [running, exception] of cases) {
      const result = await running;
      t.equal(result.code, 0, 'exit code 0, as ConsoleConsumer returns from its loop');
      t.equal(withoutClientWarnings(result.stderr), `${head}${exception}\nProcessed a total of 0 messages\n`);
    }
    const produce = (sync: boolean): ReturnType<typeof kafkaTool> =>
      kafkaTool(
        'kafka-console-producer',
        [
          '--bootstrap-server',
          `127.0.0.1:${sasl}`,
          '--producer.config',
          props('alice-secret'),
          '--topic',
          'secret',
          ...(sync ? ['--sync'] : []),
        ],
        'a\n',
      );
    const refusal =
      'org.apache.kafka.common.errors.TopicAuthorizationException: Not authorized to access topics: [secret]';
    const logged = await produce(false);
    t.equal(logged.code, 0, 'the callback logs it and the producer goes on');
    t.equal(
      withoutClientWarnings(logged.stderr),
      `ERROR Error when sending message to topic secret with key: null, value: 1 bytes with error: (org.apache.kafka.clients.producer.internals.ErrorLoggingCallback)\n${refusal}\n`,
    );
    const synced = await produce(true);
    t.equal(synced.code, 1);
    t.equal(withoutClientWarnings(synced.stderr), `java.util.concurrent.ExecutionException: ${refusal}\n`);
  },
);
