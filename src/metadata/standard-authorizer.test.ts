import t from 'tap';
import { AclTable } from './acl-table.js';
import { AclOperation as Op, PatternType, PermissionType, ResourceType, type AclBinding } from './acl-types.js';
import { StandardAuthorizer, authorizerFromConfig, parseSuperUsers, type Requester } from './standard-authorizer.js';

let nextId = 0;
function acl(partial: Partial<AclBinding>): AclBinding {
  return {
    id: `id-${nextId++}`,
    resourceType: ResourceType.TOPIC,
    resourceName: 'orders',
    patternType: PatternType.LITERAL,
    principal: 'User:alice',
    host: '*',
    operation: Op.READ,
    permissionType: PermissionType.ALLOW,
    ...partial,
  };
}

function setup(acls: Partial<AclBinding>[], superUsers = '', allowIfNone = false) {
  const table = new AclTable();
  for (const a of acls) table.add(acl(a));
  const authorizer = new StandardAuthorizer(() => table, {
    superUsers: parseSuperUsers(superUsers),
    allowEveryoneIfNoAclFound: allowIfNone,
  });
  return { table, authorizer };
}

const alice: Requester = { principal: 'User:alice', host: '10.0.0.1' };
const bob: Requester = { principal: 'User:bob', host: '10.0.0.2' };
const topic = ResourceType.TOPIC;

t.test('no ACLs: denied, unless allow.everyone.if.no.acl.found', async (t) => {
  t.notOk(setup([]).authorizer.authorize(alice, Op.READ, topic, 'orders'));
  t.ok(setup([], '', true).authorizer.authorize(alice, Op.READ, topic, 'orders'));
  // An ACL on the resource for someone else: allow.everyone no longer applies.
  t.notOk(setup([{ principal: 'User:bob' }], '', true).authorizer.authorize(alice, Op.READ, topic, 'orders'));
});

t.test('literal, wildcard and prefixed patterns', async (t) => {
  const { authorizer } = setup([
    { resourceName: 'orders' },
    { resourceName: 'pay-', patternType: PatternType.PREFIXED, operation: Op.WRITE },
    { resourceName: '*', principal: 'User:bob', operation: Op.DESCRIBE },
  ]);
  t.ok(authorizer.authorize(alice, Op.READ, topic, 'orders'));
  t.notOk(authorizer.authorize(alice, Op.READ, topic, 'orders2'), 'literal is exact');
  t.ok(authorizer.authorize(alice, Op.WRITE, topic, 'pay-eu'), 'prefix');
  t.notOk(authorizer.authorize(alice, Op.WRITE, topic, 'pa'), 'shorter than the prefix');
  t.ok(authorizer.authorize(bob, Op.DESCRIBE, topic, 'anything'), 'literal *');
  t.notOk(authorizer.authorize(bob, Op.READ, topic, 'anything'));
  t.notOk(authorizer.authorize(alice, Op.READ, ResourceType.GROUP, 'orders'), 'other resource type');
});

t.test('DENY wins over ALLOW; ALL covers every operation', async (t) => {
  const { authorizer } = setup([
    { operation: Op.ALL },
    { operation: Op.WRITE, permissionType: PermissionType.DENY },
    { principal: 'User:*', resourceName: 'x', patternType: PatternType.PREFIXED, operation: Op.ALL },
    { principal: 'User:bob', resourceName: 'xy', operation: Op.ALL, permissionType: PermissionType.DENY },
  ]);
  t.ok(authorizer.authorize(alice, Op.READ, topic, 'orders'));
  t.ok(authorizer.authorize(alice, Op.ALTER_CONFIGS, topic, 'orders'));
  t.notOk(authorizer.authorize(alice, Op.WRITE, topic, 'orders'), 'deny WRITE');
  t.ok(authorizer.authorize(bob, Op.READ, topic, 'xz'), 'User:* allow');
  t.notOk(authorizer.authorize(bob, Op.READ, topic, 'xy'), 'deny ALL for bob');
  t.ok(authorizer.authorize(alice, Op.READ, topic, 'xy'), 'deny for bob only');
});

t.test('implied operations', async (t) => {
  for (const op of [Op.READ, Op.WRITE, Op.DELETE, Op.ALTER]) {
    t.ok(
      setup([{ operation: op }]).authorizer.authorize(alice, Op.DESCRIBE, topic, 'orders'),
      `${op} implies DESCRIBE`,
    );
  }
  t.notOk(setup([{ operation: Op.CREATE }]).authorizer.authorize(alice, Op.DESCRIBE, topic, 'orders'));
  t.ok(
    setup([{ operation: Op.ALTER_CONFIGS }]).authorizer.authorize(alice, Op.DESCRIBE_CONFIGS, topic, 'orders'),
    'ALTER_CONFIGS implies DESCRIBE_CONFIGS',
  );
  t.notOk(
    setup([
      { operation: Op.READ },
      { operation: Op.DESCRIBE, permissionType: PermissionType.DENY },
    ]).authorizer.authorize(alice, Op.DESCRIBE, topic, 'orders'),
    'a DENY of DESCRIBE is not overridden by an implying ALLOW',
  );
  t.ok(
    setup([
      { operation: Op.DESCRIBE },
      { operation: Op.READ, permissionType: PermissionType.DENY },
    ]).authorizer.authorize(alice, Op.DESCRIBE, topic, 'orders'),
    'a DENY of READ does not deny DESCRIBE',
  );
});

t.test('host matching', async (t) => {
  const { authorizer } = setup([{ host: '10.0.0.1' }]);
  t.ok(authorizer.authorize(alice, Op.READ, topic, 'orders'));
  t.notOk(authorizer.authorize({ ...alice, host: '10.0.0.9' }, Op.READ, topic, 'orders'));
});

t.test('super users may do everything, DENY or not', async (t) => {
  const { authorizer } = setup(
    [{ principal: 'User:admin', operation: Op.ALL, permissionType: PermissionType.DENY }],
    'User:admin; User:ops',
  );
  t.ok(
    authorizer.authorize({ principal: 'User:admin', host: '1.2.3.4' }, Op.ALTER, ResourceType.CLUSTER, 'kafka-cluster'),
  );
  t.ok(authorizer.authorize({ principal: 'User:ops', host: '1.2.3.4' }, Op.READ, topic, 'x'));
  t.notOk(authorizer.authorize(alice, Op.READ, topic, 'x'));
});

t.test('changes to the table apply at once', async (t) => {
  const { table, authorizer } = setup([]);
  t.notOk(authorizer.authorize(alice, Op.READ, topic, 'orders'));
  const binding = acl({});
  table.add(binding);
  t.ok(authorizer.authorize(alice, Op.READ, topic, 'orders'));
  table.remove(binding.id);
  t.notOk(authorizer.authorize(alice, Op.READ, topic, 'orders'));
});

t.test('authorizeByResourceType', async (t) => {
  t.notOk(setup([]).authorizer.authorizeByResourceType(alice, Op.WRITE, topic));
  t.ok(setup([{ operation: Op.WRITE }]).authorizer.authorizeByResourceType(alice, Op.WRITE, topic));
  t.notOk(
    setup([
      { operation: Op.WRITE },
      { resourceName: '*', operation: Op.WRITE, permissionType: PermissionType.DENY },
    ]).authorizer.authorizeByResourceType(alice, Op.WRITE, topic),
    'a literal * DENY denies all',
  );
  t.notOk(
    setup([
      { resourceName: 'orders', operation: Op.WRITE },
      {
        resourceName: 'ord',
        patternType: PatternType.PREFIXED,
        operation: Op.WRITE,
        permissionType: PermissionType.DENY,
      },
    ]).authorizer.authorizeByResourceType(alice, Op.WRITE, topic),
    'the only allow is covered by a deny prefix',
  );
  t.ok(
    setup([
      { resourceName: 'pay', patternType: PatternType.PREFIXED, operation: Op.ALL },
      { resourceName: 'orders', operation: Op.WRITE, permissionType: PermissionType.DENY },
    ]).authorizer.authorizeByResourceType(alice, Op.WRITE, topic),
  );
  t.ok(setup([], 'User:alice').authorizer.authorizeByResourceType(alice, Op.WRITE, topic), 'super user');
});

t.test('authorizerFromConfig', async (t) => {
  const config = (values: Record<string, string>) => ({
    string: (k: string) => values[k] ?? '',
    bool: (k: string) => values[k] === 'true',
  });
  const table = () => new AclTable();
  t.equal(authorizerFromConfig(config({}), table), undefined, 'none by default');
  const a = authorizerFromConfig(
    config({
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'super.users': 'User:admin',
    }),
    table,
  );
  t.ok(a?.isSuperUser('User:admin'));
  t.throws(() =>
    authorizerFromConfig(config({ 'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer' }), table),
  );
});

t.test('operation names in Kafka spellings', async (t) => {
  const { operationCode } = await import('./acl-types.js');
  t.equal(operationCode('ClusterAction'), Op.CLUSTER_ACTION);
  t.equal(operationCode('cluster-action'), Op.CLUSTER_ACTION);
  t.equal(operationCode('DESCRIBE_CONFIGS'), Op.DESCRIBE_CONFIGS);
  t.equal(operationCode('read'), Op.READ);
  t.equal(operationCode('nope'), undefined);
});
