/**
 * kafka-configs --alter of a broker's configs with a sensitive dynamic config set: ConfigCommand
 * refuses unless every sensitive entry (described as null) is given again or deleted — "All sensitive
 * broker config entries must be specified for --alter, missing entries: Set(...)", exit 1, nothing
 * changed. bin/kafka/kafka-configs.sh as a process; the broker's configs read with kafkajs.
 */
import t from 'tap';
import kafkajs from 'kafkajs';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { brokerWithAdmin, kafkaTool } from '../../test/helpers/kafka-tools.js';

t.test('a sensitive broker config must be given again with each --alter', { skip: CLI_SKIP }, async (t) => {
  const { b, admin } = await brokerWithAdmin(t);
  const { brokers } = await admin.describeCluster();
  const id = String(brokers[0]!.nodeId);
  const configs = (...args: string[]) =>
    kafkaTool('kafka-configs', ['--bootstrap-server', b, '--alter', '--entity-type', 'brokers', ...args]);
  const messageMaxBytes = async (): Promise<string | undefined> => {
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: kafkajs.ConfigResourceTypes.BROKER, name: id, configNames: ['message.max.bytes'] }],
    });
    return described.resources[0]?.configEntries.find((e) => e.configName === 'message.max.bytes')?.configValue;
  };
  const before = await messageMaxBytes();

  t.equal((await configs('--entity-name', id, '--add-config', 'ssl.key.password=secret')).code, 0);
  const refused = await configs('--entity-name', id, '--add-config', 'message.max.bytes=2000000');
  t.equal(refused.code, 1, 'exit 1');
  t.equal(
    refused.stderr,
    'All sensitive broker config entries must be specified for --alter, missing entries: Set(ssl.key.password)\n',
  );
  t.equal(refused.stdout, '');
  t.equal(await messageMaxBytes(), before, 'nothing changed');

  const both = await configs('--entity-name', id, '--add-config', 'ssl.key.password=secret2,message.max.bytes=2000000');
  t.equal(both.code, 0, both.stderr);
  t.equal(await messageMaxBytes(), '2000000');
  const deleted = await configs('--entity-name', id, '--delete-config', 'ssl.key.password,message.max.bytes');
  t.equal(deleted.code, 0, deleted.stderr);
});
