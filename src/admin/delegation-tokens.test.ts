import t from 'tap';
import { brokerFor } from '../../test/helpers/broker.js';
import { rawClient, type RawClient } from '../../test/helpers/raw-client.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { ApiVersionsApi } from '../../protocol/generated/messages/18-api-versions.js';
import { SaslHandshakeApi } from '../../protocol/generated/messages/17-sasl-handshake.js';
import { SaslAuthenticateApi } from '../../protocol/generated/messages/36-sasl-authenticate.js';
import { CreateDelegationTokenApi } from '../../protocol/generated/messages/38-create-delegation-token.js';
import { RenewDelegationTokenApi } from '../../protocol/generated/messages/39-renew-delegation-token.js';
import { ExpireDelegationTokenApi } from '../../protocol/generated/messages/40-expire-delegation-token.js';
import { DescribeDelegationTokenApi } from '../../protocol/generated/messages/41-describe-delegation-token.js';
import type { RunningBroker } from '../index.js';

const JAAS =
  'org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="admin-secret" user_alice="alice-secret";';

const config = {
  listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
  'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT',
  'sasl.enabled.mechanisms': 'PLAIN',
  'listener.name.sasl_plaintext.plain.sasl.jaas.config': JAAS,
  'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
  'super.users': 'User:admin;User:ANONYMOUS',
};

function saslPort(running: RunningBroker): number {
  return running.broker.bound.find((b) => b.name === 'SASL_PLAINTEXT')!.port;
}

async function loggedIn(port: number, user: string, password: string): Promise<RawClient> {
  const client = await rawClient(port);
  if ((await client.call(SaslHandshakeApi, 1, { mechanism: 'PLAIN' })).errorCode !== 0) throw new Error('handshake');
  const auth = await client.call(SaslAuthenticateApi, 2, { authBytes: Buffer.from(`\u0000${user}\u0000${password}`) });
  if (auth.errorCode !== 0) throw new Error(`login: ${auth.errorMessage}`);
  return client;
}

const hmac = Buffer.from('not-a-token');

async function allFour(client: RawClient): Promise<number[]> {
  const created = await client.call(CreateDelegationTokenApi, 3, {
    ownerPrincipalType: null,
    ownerPrincipalName: null,
    renewers: [],
    maxLifetimeMs: -1n,
  });
  const renewed = await client.call(RenewDelegationTokenApi, 2, { hmac, renewPeriodMs: -1n });
  const expired = await client.call(ExpireDelegationTokenApi, 2, { hmac, expiryTimePeriodMs: -1n });
  const described = await client.call(DescribeDelegationTokenApi, 3, { owners: null });
  return [created.errorCode, renewed.errorCode, expired.errorCode, described.errorCode];
}

t.test('delegation token APIs without delegation.token.secret.key: Kafka 3.9 error codes', async (t) => {
  const running = await brokerFor(t, { config });

  const plaintext = await rawClient(running.port);
  const versions = await plaintext.call(ApiVersionsApi, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' });
  for (const [key, max] of [
    [38, 3],
    [39, 2],
    [40, 2],
    [41, 3],
  ] as const) {
    const entry = versions.apiKeys.find((k) => k.apiKey === key);
    t.same(entry && [entry.minVersion, entry.maxVersion], [0, max], `ApiVersions advertises API ${key} 0-${max}`);
  }
  t.same(
    await allFour(plaintext),
    Array<number>(4).fill(ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED),
    'PLAINTEXT: DELEGATION_TOKEN_REQUEST_NOT_ALLOWED for each API',
  );
  const renewRefused = await plaintext.call(RenewDelegationTokenApi, 1, { hmac, renewPeriodMs: 1000n });
  t.equal(renewRefused.expiryTimestampMs, -1n, 'a refused renewal answers expiry -1');
  plaintext.close();

  const alice = await loggedIn(saslPort(running), 'alice', 'alice-secret');
  t.same(
    await allFour(alice),
    Array<number>(4).fill(ErrorCode.DELEGATION_TOKEN_AUTH_DISABLED),
    'SASL: DELEGATION_TOKEN_AUTH_DISABLED for each API',
  );
  const created = await alice.call(CreateDelegationTokenApi, 3, {
    ownerPrincipalType: null,
    ownerPrincipalName: null,
    renewers: [],
    maxLifetimeMs: -1n,
  });
  t.match(
    created,
    {
      principalType: 'User',
      principalName: 'alice',
      tokenRequesterPrincipalName: 'alice',
      issueTimestampMs: -1n,
      tokenId: '',
    },
    'the owner defaults to the requester',
  );
  const forBob = await alice.call(CreateDelegationTokenApi, 3, {
    ownerPrincipalType: 'User',
    ownerPrincipalName: 'bob',
    renewers: [],
    maxLifetimeMs: -1n,
  });
  t.equal(
    forBob.errorCode,
    ErrorCode.DELEGATION_TOKEN_AUTHORIZATION_FAILED,
    'a token for another owner needs CREATE_TOKENS on that user',
  );
  t.equal(forBob.principalName, 'bob');
  const groupRenewer = await alice.call(CreateDelegationTokenApi, 3, {
    ownerPrincipalType: null,
    ownerPrincipalName: null,
    renewers: [{ principalType: 'Group', principalName: 'ops' }],
    maxLifetimeMs: -1n,
  });
  t.equal(groupRenewer.errorCode, ErrorCode.INVALID_PRINCIPAL_TYPE, 'renewers must be User principals');
  alice.close();

  const admin = await loggedIn(saslPort(running), 'admin', 'admin-secret');
  const adminForBob = await admin.call(CreateDelegationTokenApi, 3, {
    ownerPrincipalType: 'User',
    ownerPrincipalName: 'bob',
    renewers: [],
    maxLifetimeMs: -1n,
  });
  t.equal(adminForBob.errorCode, ErrorCode.DELEGATION_TOKEN_AUTH_DISABLED, 'a super user may create for bob');
  admin.close();
});
