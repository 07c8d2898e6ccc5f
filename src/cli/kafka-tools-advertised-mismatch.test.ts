/**
 * The Docker mistake: advertised.listeners naming an address the client cannot reach (a container's
 * host name, a port not published). Kafka 3.9's clients ask the bootstrap server for metadata only,
 * then talk to the brokers as advertised and never go back (metadata.recovery.strategy=none), so
 * kafka-topics.sh fails with "Timed out waiting for a node assignment. Call: createTopics" once
 * default.api.timeout.ms is spent. Gregor's tools went on through the bootstrap connection and
 * succeeded, hiding the misconfiguration that every other client (kcat, the Java clients) trips on.
 */
import t from 'tap';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brokerFor } from '../../test/helpers/broker.js';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { kafkaTool, withoutClientWarnings } from '../../test/helpers/kafka-tools.js';
import { freePort } from '../../test/helpers/ports.js';

t.test('kafka-topics.sh with an advertised listener it cannot reach', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(60_000);
  const [plain, unreachable, controller] = [await freePort(), await freePort(), await freePort()];
  await brokerFor(t, {
    config: {
      'process.roles': 'broker,controller',
      'node.id': 1,
      listeners: `PLAINTEXT://127.0.0.1:${plain},CONTROLLER://127.0.0.1:${controller}`,
      // 127.0.0.3: no test binds it (they bind 127.0.0.1), so no other file can take the port meanwhile.
      'advertised.listeners': `PLAINTEXT://127.0.0.3:${unreachable}`,
      'controller.listener.names': 'CONTROLLER',
      'controller.quorum.voters': `1@127.0.0.1:${controller}`,
    },
  });
  const dir = await mkdtemp(join(tmpdir(), 'advertised-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const config = join(dir, 'admin.properties');
  await writeFile(config, 'default.api.timeout.ms=2000\n');
  const created = await kafkaTool('kafka-topics', [
    '--bootstrap-server',
    `127.0.0.1:${plain}`,
    '--command-config',
    config,
    '--create',
    '--topic',
    'never',
  ]);
  t.equal(created.code, 1);
  t.equal(
    created.stdout,
    'Error while executing topic command : Timed out waiting for a node assignment. Call: createTopics\n',
  );
  t.match(
    created.stderr,
    new RegExp(`Connection to node 1 \\(/127\\.0\\.0\\.3:${unreachable}\\) could not be established`),
    'the advertised address is the one tried',
  );
  t.match(withoutClientWarnings(created.stderr), /TimeoutException: Timed out waiting for a node assignment/);
});
