/**
 * KIP-848 regular-expression subscriptions under the StandardAuthorizer: a regex takes only the
 * topics the heartbeating principal may DESCRIBE, as Kafka 4.0 resolves it. alice may read
 * `orders-a`; `orders-secret` also matches her regex but has no ACL for her, so it is neither
 * assigned to her nor subscribed by the group. A super user's regex in another group takes both.
 * Raw frames over SASL/PLAIN (no client of ours speaks KIP-848 with a regex).
 */
import t from 'tap';
import { brokerFor } from '../../test/helpers/broker.js';
import { rawClient, type RawClient } from '../../test/helpers/raw-client.js';
import { SaslHandshakeApi } from '../../protocol/generated/messages/17-sasl-handshake.js';
import { SaslAuthenticateApi } from '../../protocol/generated/messages/36-sasl-authenticate.js';
import {
  ConsumerGroupHeartbeatApi,
  defaultConsumerGroupHeartbeatRequest,
} from '../../protocol/generated/messages/68-consumer-group-heartbeat.js';
import { CreateAclsApi } from '../../protocol/generated/messages/30-create-acls.js';
import {
  CreateTopicsApi,
  defaultCreateTopicsRequest,
  defaultCreateTopicsRequestCreatableTopic,
} from '../../protocol/generated/messages/19-create-topics.js';
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

/** Heartbeats (v1, regex) until the member has an assignment; returns the assigned topic ids. */
async function assignedByRegex(raw: RawClient, groupId: string, memberId: string): Promise<Set<string>> {
  let epoch = 0;
  for (let i = 0; i < 20; i++) {
    const r = await raw.call(ConsumerGroupHeartbeatApi, 1, {
      ...defaultConsumerGroupHeartbeatRequest(),
      groupId,
      memberId,
      memberEpoch: epoch,
      rebalanceTimeoutMs: 30000,
      subscribedTopicNames: epoch === 0 ? [] : null,
      subscribedTopicRegex: epoch === 0 ? 'orders-.*' : null,
      topicPartitions: epoch === 0 ? [] : null,
    });
    if (r.errorCode !== 0) throw new Error(`heartbeat failed: ${r.errorCode} ${r.errorMessage ?? ''}`);
    epoch = r.memberEpoch;
    const topics = r.assignment?.topicPartitions ?? [];
    if (topics.length > 0) return new Set(topics.map((tp) => tp.topicId));
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('no assignment after 20 heartbeats');
}

t.test('a regex subscription takes only the topics the member may describe', async (t) => {
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
  const created = await admin.call(CreateTopicsApi, 7, {
    ...defaultCreateTopicsRequest(),
    topics: ['orders-a', 'orders-secret'].map((name) => ({
      ...defaultCreateTopicsRequestCreatableTopic(),
      name,
      numPartitions: 1,
      replicationFactor: 1,
    })),
    timeoutMs: 5000,
  });
  t.same(
    created.topics.map((c) => c.errorCode),
    [0, 0],
  );
  const acl = (resourceType: number, resourceName: string, operation: number) => ({
    resourceType,
    resourceName,
    resourcePatternType: PatternType.LITERAL,
    principal: 'User:alice',
    host: '*',
    operation,
    permissionType: PermissionType.ALLOW,
  });
  const acls = await admin.call(CreateAclsApi, 3, {
    creations: [
      acl(ResourceType.TOPIC, 'orders-a', AclOperation.READ),
      acl(ResourceType.GROUP, 'g-regex', AclOperation.READ),
    ],
  });
  t.same(
    acls.results.map((r) => r.errorCode),
    [0, 0],
  );
  const idOf = (name: string) => running.broker.controller.image.topicsByName.get(name)!.topicId;

  const alice = await rawAs(port, 'alice');
  t.teardown(() => alice.close());
  const aliceTopics = await assignedByRegex(alice, 'g-regex', 'alice-member-0000001');
  t.same([...aliceTopics], [idOf('orders-a')], 'alice is assigned orders-a only: orders-secret stays hidden from her');
  const adminTopics = await assignedByRegex(admin, 'g-admin', 'admin-member-0000001');
  t.same(
    [...adminTopics].sort(),
    [idOf('orders-a'), idOf('orders-secret')].sort(),
    'a super user regex takes both topics (the filter is the authorizer, not the regex)',
  );
});
