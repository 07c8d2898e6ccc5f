/**
 * A client properties file with a name Kafka's Java clients do not know (Kafka's own docker example
 * client-ssl.properties carries the broker setting ssl.client.auth=required): the Java tools warn "The
 * configuration 'ssl.client.auth' was supplied but isn't a known config." and go on; so do Gregor's.
 * A setting of Kafka's clients that Gregor's client does not implement (interceptor.classes) is still
 * refused, naming it. Gregor refused both.
 */
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { brokerFor } from '../../test/helpers/broker.js';
import { kafkaTool } from '../../test/helpers/kafka-tools.js';

t.test(
  'kafka-topics warns about a name no Kafka client knows, refuses an unimplemented one',
  { skip: CLI_SKIP },
  async (t) => {
    const running = await brokerFor(t);
    const dir = t.testdir();
    const file = join(dir, 'client.properties');
    writeFileSync(file, 'security.protocol=PLAINTEXT\nssl.client.auth=required\n');
    const args = ['--bootstrap-server', running.bootstrap, '--command-config', file];
    const created = await kafkaTool('kafka-topics', [...args, '--create', '--topic', 'warned']);
    t.equal(created.code, 0, created.stderr);
    t.equal(created.stdout, 'Created topic warned.\n');
    t.match(created.stderr, "WARN The configuration 'ssl.client.auth' was supplied but isn't a known config.");
    writeFileSync(file, 'interceptor.classes=com.example.Interceptor\n');
    const refused = await kafkaTool('kafka-topics', [...args, '--list']);
    t.equal(refused.code, 1);
    t.match(refused.stderr, /do not support the client setting interceptor.classes/);
  },
);
