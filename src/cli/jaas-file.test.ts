/**
 * The static JAAS file of Kafka's Docker recipes (kafkajs' compose files, Confluent's docs):
 * `KAFKA_OPTS=-Djava.security.auth.login.config=/etc/kafka/server-jaas.conf` with a KafkaServer
 * section, read by `gregor start` as Kafka's JaasContext reads it, with the listener's own
 * `<listener>.KafkaServer` section first; and its absence, which stops start-up as Kafka does.
 */
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { CLI_SKIP, runCliToExit, startCli } from '../../test/helpers/cli.js';

const SASL_PORT = 21101;

const SERVER_JAAS = `// as kafkajs' testHelpers/kafka/server-jaas.conf
KafkaServer {
  org.apache.kafka.common.security.plain.PlainLoginModule required
  username="test"
  password="testtest"
  user_test="testtest"
  user_alice="alicealice";

  /* the SCRAM users live in the metadata log */
  org.apache.kafka.common.security.scram.ScramLoginModule required
  username="admin"
  password="adminadmin";
};
sasl_other.KafkaServer {
  org.apache.kafka.common.security.plain.PlainLoginModule required user_bob="bobbob";
};
KafkaClient {
  org.apache.kafka.common.security.plain.PlainLoginModule required username="test" password="testtest";
};
`;

function env(root: string, kafkaOpts: string | null): NodeJS.ProcessEnv {
  return {
    KAFKA_LOG_DIRS: join(root, 'data'),
    KAFKA_LISTENERS: `PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:${SASL_PORT}`,
    KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT',
    KAFKA_SASL_ENABLED_MECHANISMS: 'PLAIN,SCRAM-SHA-256',
    // Kafka ignores this one on a broker (it is the clients' setting): so does Gregor.
    KAFKA_SASL_JAAS_CONFIG: 'org.apache.kafka.common.security.plain.PlainLoginModule required user_mallory="mallory";',
    ...(kafkaOpts === null ? {} : { KAFKA_OPTS: kafkaOpts }),
  };
}

t.test(
  'KAFKA_OPTS -Djava.security.auth.login.config: the KafkaServer section serves PLAIN',
  { skip: CLI_SKIP },
  async (t) => {
    const root = mkdtempSync(join(tmpdir(), 'gregor-jaas-'));
    t.teardown(() => rmSync(root, { recursive: true, force: true }));
    const jaasFile = join(root, 'server-jaas.conf');
    writeFileSync(jaasFile, SERVER_JAAS);

    const missing = await runCliToExit([], env(root, null));
    t.not(missing.code, 0, 'no JAAS anywhere: start-up stops');
    t.match(
      missing.output,
      /Could not find a 'KafkaServer' or 'sasl_plaintext.KafkaServer' entry in the JAAS configuration. System property 'java.security.auth.login.config' is not set/,
    );
    t.match(missing.output, /sasl.jaas.config is ignored by brokers/);

    const running = await startCli([], env(root, `-Xmx1g -Djava.security.auth.login.config=${jaasFile}`));
    t.teardown(() => running.stop());
    const login = (username: string, password: string): Kafka =>
      new Kafka({
        brokers: [`127.0.0.1:${SASL_PORT}`],
        sasl: { mechanism: 'plain', username, password },
        logLevel: logLevel.NOTHING,
        retry: { retries: 0 },
      });
    const admin = login('alice', 'alicealice').admin();
    await admin.connect();
    t.ok(Array.isArray(await admin.listTopics()), 'alice of the KafkaServer section signs in');
    await admin.disconnect();
    await t.rejects(
      login('mallory', 'mallory').admin().connect(),
      /Invalid username or password/,
      'not the unprefixed sasl.jaas.config',
    );
    await t.rejects(
      login('bob', 'bobbob').admin().connect(),
      /Invalid username or password/,
      "another listener's section",
    );
    t.match(running.output(), /sasl.jaas.config should be prefixed with the listener and SASL mechanism name/);
  },
);
