/**
 * kafka-configs.sh for users, clients and ips as Kafka's security docs use it: a SCRAM user made
 * with `--alter --add-config 'SCRAM-SHA-256=[...],SCRAM-SHA-512=[...]' --entity-type users` logs in
 * at once with kcat (librdkafka) over SASL_SSL, is described, loses a mechanism with --delete-config
 * and is refused with it after; client quotas set, described and deleted; ConfigCommand's messages
 * for what it refuses.
 */
import t from 'tap';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { brokerWithAdmin, kafkaTool } from '../../test/helpers/kafka-tools.js';
import { makeTestCerts, opensslAvailable } from '../../test/helpers/certs.js';
import { hasCommand, run } from '../../test/helpers/external.js';

const skip = CLI_SKIP || (!opensslAvailable() ? 'openssl is not installed' : !hasCommand('kcat') ? 'no kcat' : false);

t.test('kafka-configs --entity-type users: SCRAM credentials used at once by kcat, and quotas', { skip }, async (t) => {
  t.setTimeout(120_000);
  const certs = makeTestCerts();
  t.teardown(() => certs.cleanup());
  const { broker, b } = await brokerWithAdmin(t, {
    config: {
      listeners: 'PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL',
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': certs.serverPemStore,
      'sasl.enabled.mechanisms': 'SCRAM-SHA-256,SCRAM-SHA-512',
      'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config':
        'org.apache.kafka.common.security.scram.ScramLoginModule required;',
      'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config':
        'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    },
  });
  const saslSsl = broker.broker.bound.find((l) => l.name === 'SASL_SSL')!.port;
  const configs = (...args: string[]): ReturnType<typeof kafkaTool> =>
    kafkaTool('kafka-configs', ['--bootstrap-server', b, ...args]);
  const kcatAs = (mechanism: string, user: string, password: string): ReturnType<typeof run> =>
    run(
      'kcat',
      [
        '-b',
        `127.0.0.1:${saslSsl}`,
        '-X',
        'security.protocol=SASL_SSL',
        '-X',
        `sasl.mechanisms=${mechanism}`,
        '-X',
        `sasl.username=${user}`,
        '-X',
        `sasl.password=${password}`,
        '-X',
        `ssl.ca.location=${certs.caFile}`,
        '-L',
        '-m',
        '5',
      ],
      { timeoutMs: 30_000 },
    );

  const added = await configs(
    '--alter',
    '--add-config',
    'SCRAM-SHA-256=[iterations=8192,password=alice-secret],SCRAM-SHA-512=[password=alice-secret]',
    '--entity-type',
    'users',
    '--entity-name',
    'alice',
  );
  t.equal(added.stdout, 'Completed updating config for user alice.\n', added.stderr);
  for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512']) {
    const listed = await kcatAs(mechanism, 'alice', 'alice-secret');
    t.equal(listed.code, 0, `kcat logs in with ${mechanism}: ${listed.stderr}`);
  }
  const described = await configs('--describe', '--entity-type', 'users', '--entity-name', 'alice');
  t.equal(
    described.stdout,
    "SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=8192, SCRAM-SHA-512=iterations=4096\n",
    described.stderr,
  );

  const deleted = await configs('--alter', '--delete-config', 'SCRAM-SHA-512', '--user', 'alice');
  t.equal(deleted.code, 0, deleted.stderr);
  const refused = await kcatAs('SCRAM-SHA-512', 'alice', 'alice-secret');
  t.not(refused.code, 0, 'the deleted mechanism is refused');
  t.match(
    refused.stderr,
    /Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512/,
  );
  t.equal((await kcatAs('SCRAM-SHA-256', 'alice', 'alice-secret')).code, 0, 'the other one still works');

  const quota = await configs(
    '--alter',
    '--add-config',
    'producer_byte_rate=1048576,consumer_byte_rate=20971520',
    '--user',
    'alice',
  );
  t.equal(quota.code, 0, quota.stderr);
  const all = await configs('--describe', '--entity-type', 'users');
  t.equal(
    all.stdout,
    "Quota configs for user-principal 'alice' are consumer_byte_rate=2.097152E7, producer_byte_rate=1048576.0\n" +
      "SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=8192\n",
    all.stderr,
  );
  const clientDefault = await configs(
    '--alter',
    '--add-config',
    'request_percentage=50',
    '--entity-type',
    'clients',
    '--entity-default',
  );
  t.equal(
    clientDefault.stdout,
    'Completed updating default config for clients in the cluster.\n',
    clientDefault.stderr,
  );
  t.equal(
    (await configs('--describe', '--entity-type', 'clients')).stdout,
    'Quota configs for the default client-id are request_percentage=50.0\n',
  );
  t.equal((await configs('--alter', '--delete-config', 'request_percentage', '--client-defaults')).code, 0);
  t.equal((await configs('--describe', '--client-defaults')).stdout, '');

  const mistakes: Array<[string[], string]> = [
    [
      ['--add-config', 'SCRAM-SHA-256=[iterations=100,password=x]', '--user', 'bob'],
      'Iterations 100 is less than the minimum 4096 required for SCRAM-SHA-256',
    ],
    [
      ['--add-config', 'SCRAM-SHA-256=[password=x],producer_byte_rate=1', '--user', 'bob'],
      "Cannot alter both quota and SCRAM credential configs simultaneously for 'users' using --bootstrap-server.",
    ],
    [
      ['--add-config', 'SCRAM-SHA-256=[password=x]', '--user-defaults'],
      'The use of --entity-default or --user-defaults is not allowed with User SCRAM Credentials using --bootstrap-server.',
    ],
    [
      ['--add-config', 'SCRAM-SHA-256=[password=x]', '--client', 'app'],
      "Only quota configs can be added for 'clients' using --bootstrap-server. Unexpected config names: Set(SCRAM-SHA-256)",
    ],
    [
      ['--add-config', 'producer_byte_rate=fast', '--user', 'bob'],
      'Cannot parse quota configuration value for producer_byte_rate: fast',
    ],
    [['--delete-config', 'consumer_byte_rate', '--user', 'bob'], 'Invalid config(s): consumer_byte_rate'],
  ];
  for (const [args, message] of mistakes) {
    const result = await configs('--alter', ...args);
    t.equal(result.code, 1, args.join(' '));
    t.equal(result.stderr.trim(), message);
  }
});
