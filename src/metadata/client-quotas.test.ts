/**
 * Client quotas, pure: entity and value validation with Kafka's codes, the records an alter
 * makes, replay (an entity with no quota left is dropped) and the describe filter.
 */
import t from 'tap';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import {
  alterClientQuota,
  applyClientQuotaRecord,
  describeClientQuotas,
  QuotaMatchType,
  type ClientQuotaEntry,
  type QuotaEntityPart,
  type QuotaError,
} from './client-quotas.js';

const user = (name: string | null): QuotaEntityPart => ({ entityType: 'user', entityName: name });
const client = (name: string | null): QuotaEntityPart => ({ entityType: 'client-id', entityName: name });
const ip = (name: string | null): QuotaEntityPart => ({ entityType: 'ip', entityName: name });
const set = (key: string, value: number) => ({ key, value, remove: false });

function alterInto(
  quotas: Map<string, ClientQuotaEntry>,
  parts: QuotaEntityPart[],
  ops: Array<{ key: string; value: number; remove: boolean }>,
): void {
  const out = alterClientQuota(quotas, parts, ops);
  if ('errorCode' in out) throw new Error(out.errorMessage);
  for (const r of out.records) applyClientQuotaRecord(quotas, r);
}

function errorOf(parts: QuotaEntityPart[], ops = [set('producer_byte_rate', 1024)]): QuotaError | undefined {
  const out = alterClientQuota(new Map(), parts, ops);
  return 'errorCode' in out ? out : undefined;
}

t.test('entity and value validation answers as Kafka', async (t) => {
  t.equal(errorOf([])?.errorCode, ErrorCode.INVALID_REQUEST, 'empty entity');
  t.equal(errorOf([user('a'), user('b')])?.errorCode, ErrorCode.INVALID_REQUEST, 'repeated type');
  t.equal(
    errorOf([{ entityType: 'group', entityName: 'g' }])?.errorCode,
    ErrorCode.UNSUPPORTED_VERSION,
    'unknown type',
  );
  t.equal(errorOf([user('')])?.errorCode, ErrorCode.INVALID_REQUEST, 'empty name');
  t.match(
    errorOf([ip('10.0.0.1'), user('a')], [set('connection_creation_rate', 5)])?.errorMessage,
    /IP entity should not be combined/,
  );
  t.equal(
    errorOf([ip('not an ip')], [set('connection_creation_rate', 5)])?.errorCode,
    ErrorCode.INVALID_REQUEST,
    'bad IP',
  );
  t.match(
    errorOf([ip('10.0.0.1')])?.errorMessage,
    /Invalid configuration key producer_byte_rate/,
    'ip takes only connection_creation_rate',
  );
  t.match(
    errorOf([user('a')], [set('connection_creation_rate', 5)])?.errorMessage,
    /Invalid configuration key/,
    'users take no ip key',
  );
  t.match(errorOf([user('a')], [set('producer_byte_rate', 0)])?.errorMessage, /must be greater than 0/);
  t.match(errorOf([user('a')], [set('producer_byte_rate', 10.5)])?.errorMessage, /cannot be a fractional value/);
  t.match(errorOf([ip(null)], [set('connection_creation_rate', 2 ** 31)])?.errorMessage, /too large for a INT/);
  t.equal(
    errorOf([user('a'), client('c')], [set('request_percentage', 12.5)]),
    undefined,
    'user + client-id, fractional double key',
  );
  t.equal(errorOf([ip('::1')], [set('connection_creation_rate', 5)]), undefined, 'IPv6 literal');
  t.equal(errorOf([client(null)], [set('controller_mutation_rate', 0.5)]), undefined, 'default client-id');
});

t.test('alter makes only the records that change something, replay keeps and drops entities', async (t) => {
  const quotas = new Map<string, ClientQuotaEntry>();
  alterInto(quotas, [user('alice')], [set('producer_byte_rate', 1024), set('consumer_byte_rate', 2048)]);
  t.equal(quotas.size, 1);
  const again = alterClientQuota(
    quotas,
    [user('alice')],
    [set('producer_byte_rate', 1024), { key: 'request_percentage', value: 0, remove: true }],
  );
  t.same('records' in again ? again.records : undefined, [], 'same value and removing an unset key: no record');
  // the entity key ignores the order of its parts
  alterInto(quotas, [client('c1'), user('alice')], [set('request_percentage', 50)]);
  alterInto(quotas, [user('alice'), client('c1')], [set('request_percentage', 60)]);
  t.equal(quotas.size, 2);
  alterInto(
    quotas,
    [user('alice')],
    [
      { key: 'producer_byte_rate', value: 0, remove: true },
      { key: 'consumer_byte_rate', value: 0, remove: true },
    ],
  );
  t.equal(quotas.size, 1, 'an entity with no quota left is gone');
  const [entry] = [...quotas.values()];
  t.same(entry?.entity, [client('c1'), user('alice')]);
  t.same([...(entry?.quotas ?? [])], [['request_percentage', 60]]);
});

t.test('describe filters as Kafka does', async (t) => {
  const quotas = new Map<string, ClientQuotaEntry>();
  alterInto(quotas, [user('alice')], [set('producer_byte_rate', 1)]);
  alterInto(quotas, [user(null)], [set('producer_byte_rate', 2)]);
  alterInto(quotas, [user('alice'), client('c1')], [set('producer_byte_rate', 3)]);
  alterInto(quotas, [ip('10.0.0.1')], [set('connection_creation_rate', 4)]);
  const values = (found: ClientQuotaEntry[] | QuotaError): number[] =>
    'errorCode' in found
      ? []
      : found.map((e) => e.quotas.get('producer_byte_rate') ?? e.quotas.get('connection_creation_rate') ?? -1).sort();
  const f = (entityType: string, matchType: number, match: string | null) => ({ entityType, matchType, match });
  t.same(values(describeClientQuotas(quotas, [], false)), [1, 2, 3, 4], 'no component: everything');
  t.same(values(describeClientQuotas(quotas, [f('user', QuotaMatchType.EXACT, 'alice')], false)), [1, 3]);
  t.same(values(describeClientQuotas(quotas, [f('user', QuotaMatchType.EXACT, 'alice')], true)), [1], 'strict');
  t.same(values(describeClientQuotas(quotas, [f('user', QuotaMatchType.DEFAULT, null)], false)), [2]);
  t.same(values(describeClientQuotas(quotas, [f('user', QuotaMatchType.SPECIFIED, null)], true)), [1, 2]);
  t.same(values(describeClientQuotas(quotas, [f('ip', QuotaMatchType.SPECIFIED, null)], false)), [4]);
  const err = (found: ClientQuotaEntry[] | QuotaError): number => ('errorCode' in found ? found.errorCode : 0);
  t.equal(
    err(describeClientQuotas(quotas, [f('user', QuotaMatchType.EXACT, null)], false)),
    ErrorCode.INVALID_REQUEST,
    'EXACT without a name',
  );
  t.equal(
    err(describeClientQuotas(quotas, [f('user', QuotaMatchType.DEFAULT, 'x')], false)),
    ErrorCode.INVALID_REQUEST,
    'DEFAULT with a name',
  );
  t.equal(
    err(describeClientQuotas(quotas, [f('user', 0, 'a'), f('user', 1, null)], false)),
    ErrorCode.INVALID_REQUEST,
    'type twice',
  );
  t.equal(
    err(describeClientQuotas(quotas, [f('ip', 2, null), f('user', 2, null)], false)),
    ErrorCode.INVALID_REQUEST,
    'ip with user',
  );
  t.equal(
    err(describeClientQuotas(quotas, [f('group', 2, null)], false)),
    ErrorCode.UNSUPPORTED_VERSION,
    'unknown type',
  );
  t.equal(
    err(describeClientQuotas(quotas, [f('user', 7, null)], false)),
    ErrorCode.UNSUPPORTED_VERSION,
    'unknown match type',
  );
  t.equal(err(describeClientQuotas(quotas, [f('', 2, null)], false)), ErrorCode.INVALID_REQUEST, 'empty type');
});
