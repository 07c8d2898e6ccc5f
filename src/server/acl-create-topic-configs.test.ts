/**
 * CreateTopics answers a created topic's configs, partition count and replication factor only to a
 * principal that may DESCRIBE_CONFIGS the topic, as Kafka 3.9's controller does (ControllerApis passes
 * the describable names to ReplicationControlManager.createTopic): without it the topic is created
 * and its entry carries topic_config_error_code TOPIC_AUTHORIZATION_FAILED, -1 for both counts and
 * no configs. CREATE on the cluster does not imply it. Raw frames over SASL/PLAIN: the clients we
 * run (kafkajs, librdkafka, kafka-python) do not read these fields.
 */
import t from 'tap';
import { brokerFor } from '../../test/helpers/broker.js';
import { rawClient, type RawClient } from '../../test/helpers/raw-client.js';
import { SaslHandshakeApi } from '../../protocol/generated/messages/17-sasl-handshake.js';
import { SaslAuthenticateApi } from '../../protocol/generated/messages/36-sasl-authenticate.js';
import { CreateAclsApi } from '../../protocol/generated/messages/30-create-acls.js';
import {
  CreateTopicsApi,
  defaultCreateTopicsRequest,
  defaultCreateTopicsRequestCreatableTopic,
} from '../../protocol/generated/messages/19-create-topics.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { STANDARD_AUTHORIZER_CLASS } from '../metadata/standard-authorizer.js';
import { AclOperation, PatternType, PermissionType, ResourceType } from '../metadata/acl-types.js';

const JAAS =
  'org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="admin-pw" user_alice="alice-pw";';

async function rawAs(port: number, user: string): Promise<RawClient> {
  const raw = await rawClient(port);
  await raw.call(SaslHandshakeApi, 1, { mechanism: 'PLAIN' });
  const auth = await raw.call(SaslAuthenticateApi, 2, { authBytes: Buffer.from(`\0${user}\0${user}-pw`) });
  if (auth.errorCode !== 0) throw new Error(`SASL/PLAIN as ${user} failed: ${auth.errorMessage ?? ''}`);
  return raw;
}

const allow = (resourceType: number, resourceName: string, operation: number) => ({
  resourceType,
  resourceName,
  resourcePatternType: PatternType.LITERAL,
  principal: 'User:alice',
  host: '*',
  operation,
  permissionType: PermissionType.ALLOW,
});

t.test('CreateTopics hides a new topic configs from a principal without DESCRIBE_CONFIGS on it', async (t) => {
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
  const admin = await rawAs(port, 'admin');
  t.teardown(() => admin.close());
  const acls = await admin.call(CreateAclsApi, 3, {
    creations: [
      allow(ResourceType.CLUSTER, 'kafka-cluster', AclOperation.CREATE),
      allow(ResourceType.TOPIC, 'shown', AclOperation.DESCRIBE_CONFIGS),
      allow(ResourceType.TOPIC, 'altered', AclOperation.ALTER_CONFIGS),
    ],
  });
  t.same(
    acls.results.map((r) => r.errorCode),
    [0, 0, 0],
  );

  const alice = await rawAs(port, 'alice');
  t.teardown(() => alice.close());
  for (const validateOnly of [true, false]) {
    const created = await alice.call(CreateTopicsApi, 7, {
      ...defaultCreateTopicsRequest(),
      topics: ['hidden', 'shown', 'altered'].map((name) => ({
        ...defaultCreateTopicsRequestCreatableTopic(),
        name,
        numPartitions: 2,
        replicationFactor: 1,
        configs: [{ name: 'retention.ms', value: '123456' }],
      })),
      timeoutMs: 5000,
      validateOnly,
    });
    const byName = new Map(created.topics.map((c) => [c.name, c]));
    const hidden = byName.get('hidden')!;
    t.equal(hidden.errorCode, 0, `validateOnly=${validateOnly}: created with CREATE on the cluster`);
    t.equal(hidden.topicConfigErrorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'its configs are refused');
    t.same([hidden.numPartitions, hidden.replicationFactor, hidden.configs], [-1, -1, []], 'and not sent');
    if (!validateOnly) t.not(hidden.topicId, '', 'the topic id is sent, as Kafka');
    for (const name of ['shown', 'altered']) {
      const entry = byName.get(name)!;
      t.equal(entry.topicConfigErrorCode, 0, `${name}: configs may be described`);
      t.same([entry.numPartitions, entry.replicationFactor], [2, 1]);
      t.equal((entry.configs ?? []).find((c) => c.name === 'retention.ms')?.value, '123456');
    }
  }
  t.ok(running.broker.controller.image.topicsByName.has('hidden'), 'the hidden-config topic exists');
});
