/**
 * Client quotas as the KRaft controller keeps them: an entity (a set of entity types, each
 * with a name or null for the default) maps to quota values; ClientQuotaRecord sets or removes
 * one key of one entity. Pure code: validation of an AlterClientQuotas entry (entity types,
 * combinations, keys and values, with Kafka's error codes and messages), the records it makes,
 * replay into the image, and DescribeClientQuotas filtering.
 *
 * Entity types: `user`, `client-id`, `ip` (ip alone). Keys: user and client-id entities take
 * producer_byte_rate, consumer_byte_rate (whole numbers), request_percentage and
 * controller_mutation_rate; ip entities take connection_creation_rate (a whole number).
 * Values must be above 0. An ip entity names an IP address literal (no host-name lookup). A filter component of match type SPECIFIED matches an entity
 * that has the type, whatever its name (the default included), as Kafka's KRaft image does.
 * Enforcement is elsewhere: src/server/quotas/ (user and client-id keys), src/server/connection-rate.ts (ip).
 *
 * Order: Kafka keeps entities, their parts and their values in java.util.HashMaps and answers in
 * their iteration order, which clients see (DescribeClientQuotas, AlterClientQuotas). The image
 * here keeps each map in that order (src/common/java-hash.ts), re-sorting after every record as
 * Kafka's ClientQuotasDelta does after every batch; records of one alteration are made in the
 * order Kafka's delta inserts new keys (a default HashMap's), not in the order Kafka logs them.
 */
import { isIP } from 'node:net';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { javaHashMapCapacity, javaHashMapOrder, javaStringHashCode, javaStringMapHash } from '../common/java-hash.js';
import type { ClientQuotaRecord } from '../../protocol/generated/records/metadata/ClientQuotaRecord.js';

export const QuotaEntityType = { USER: 'user', CLIENT_ID: 'client-id', IP: 'ip' } as const;

/** DescribeClientQuotas filter match types. */
export const QuotaMatchType = { EXACT: 0, DEFAULT: 1, SPECIFIED: 2 } as const;

type QuotaValueKind = 'long' | 'int' | 'double';

const CLIENT_KEYS: ReadonlyMap<string, QuotaValueKind> = new Map([
  ['producer_byte_rate', 'long'],
  ['consumer_byte_rate', 'long'],
  ['request_percentage', 'double'],
  ['controller_mutation_rate', 'double'],
]);
const IP_KEYS: ReadonlyMap<string, QuotaValueKind> = new Map([['connection_creation_rate', 'int']]);

export interface QuotaEntityPart {
  entityType: string;
  entityName: string | null;
}

export interface ClientQuotaEntry {
  /** In Kafka's order (a default HashMap of entity type to name). */
  entity: QuotaEntityPart[];
  quotas: Map<string, number>;
}

export interface QuotaError {
  errorCode: number;
  errorMessage: string;
}

export interface QuotaOp {
  key: string;
  value: number;
  remove: boolean;
}

/** A stable key for an entity, independent of the order its parts came in. */
export function entityKey(parts: readonly QuotaEntityPart[]): string {
  return JSON.stringify(
    [...parts].sort((a, b) => (a.entityType < b.entityType ? -1 : 1)).map((p) => [p.entityType, p.entityName]),
  );
}

/**
 * An entity's parts in the order of a HashMap of type to name made with `initialCapacity`
 * (undefined: a default HashMap, as the image's entities; the request's count for the entity an
 * AlterClientQuotas response echoes).
 */
export function orderEntityParts<T extends QuotaEntityPart>(parts: readonly T[], initialCapacity?: number): T[] {
  const capacity = javaHashMapCapacity(parts.length, initialCapacity);
  return javaHashMapOrder(parts, (p) => javaStringHashCode(p.entityType), capacity);
}

/** ClientQuotaEntity.hashCode: Objects.hash of its map of entity type to name. */
export function entityHashCode(parts: readonly QuotaEntityPart[]): number {
  return javaStringMapHash(parts.map((p) => [p.entityType, p.entityName] as const));
}

/** Quota values as Kafka's image iterates them: a HashMap grown from empty. */
function orderQuotaValues(quotas: Map<string, number>): void {
  const capacity = javaHashMapCapacity(quotas.size, 0);
  const ordered = javaHashMapOrder([...quotas], ([key]) => javaStringHashCode(key), capacity);
  quotas.clear();
  for (const [key, value] of ordered) quotas.set(key, value);
}

/** The image's entities in Kafka's order, after a change that took the count from `previousSize`. */
function orderEntities(quotas: Map<string, ClientQuotaEntry>, previousSize: number): void {
  const capacity = javaHashMapCapacity(quotas.size, previousSize);
  const ordered = javaHashMapOrder([...quotas], ([, e]) => entityHashCode(e.entity), capacity);
  quotas.clear();
  for (const [key, entry] of ordered) quotas.set(key, entry);
}

const invalid = (errorMessage: string): QuotaError => ({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage });

/** Checks an entity as Kafka's controller does; returns the keys it takes, or the error. */
export function validateEntity(
  parts: readonly QuotaEntityPart[],
): { keys: ReadonlyMap<string, QuotaValueKind> } | QuotaError {
  if (parts.length === 0) return invalid('Invalid empty client quota entity');
  const types = new Set<string>();
  for (const { entityType, entityName } of parts) {
    if (types.has(entityType))
      return invalid(`Invalid empty client quota entity, duplicate entity entry ${entityType}`);
    if (entityType === QuotaEntityType.IP) {
      if (entityName !== null && isIP(entityName) === 0)
        return invalid(`${entityName} is not a valid IP or resolvable host.`);
    } else if (entityType !== QuotaEntityType.USER && entityType !== QuotaEntityType.CLIENT_ID) {
      return {
        errorCode: ErrorCode.UNSUPPORTED_VERSION,
        errorMessage: `Unhandled client quota entity type: ${entityType}`,
      };
    }
    if (entityName === '') return invalid(`Empty ${entityType} not supported`);
    types.add(entityType);
  }
  if (types.has(QuotaEntityType.IP)) {
    if (types.size > 1)
      return invalid('Invalid quota entity combination, IP entity should not be combined with User or ClientId');
    return { keys: IP_KEYS };
  }
  return { keys: CLIENT_KEYS };
}

function validateValue(keys: ReadonlyMap<string, QuotaValueKind>, key: string, value: number): QuotaError | null {
  const kind = keys.get(key);
  if (kind === undefined) return invalid(`Invalid configuration key ${key}`);
  if (!Number.isFinite(value)) return invalid(`Invalid value ${value} for ${key}`);
  if (value <= 0) return invalid(`Quota ${key} must be greater than 0`);
  if (kind === 'double') return null;
  if (kind === 'int' && value > 2 ** 31 - 1) return invalid(`Proposed value for ${key} is too large for a INT.`);
  if (kind === 'long' && value > 2 ** 63) return invalid(`Proposed value for ${key} is too large for a LONG.`);
  if (Math.abs(value % 1) > 1e-6) return invalid(`${key} cannot be a fractional value.`);
  return null;
}

/**
 * The records that apply one AlterClientQuotas entry, or its error. Setting a value a key
 * already has and removing a key that is not set make no record.
 */
export function alterClientQuota(
  current: ReadonlyMap<string, ClientQuotaEntry>,
  parts: readonly QuotaEntityPart[],
  ops: readonly QuotaOp[],
): { records: ClientQuotaRecord[] } | QuotaError {
  const checked = validateEntity(parts);
  if ('errorCode' in checked) return checked;
  const existing = current.get(entityKey(parts))?.quotas ?? new Map<string, number>();
  // a key named twice: the last operation wins, as in Kafka's request-to-map conversion
  const lastOps = new Map(ops.map((op) => [op.key, op]));
  const records: ClientQuotaRecord[] = [];
  const entity = orderEntityParts(parts, 3).map((p) => ({ entityType: p.entityType, entityName: p.entityName }));
  const keyOrder = javaHashMapOrder([...lastOps.values()], (op) => javaStringHashCode(op.key), 16);
  for (const op of keyOrder) {
    if (op.remove) {
      if (!checked.keys.has(op.key)) return invalid(`Invalid configuration key ${op.key}`);
      if (existing.has(op.key)) records.push({ entity, key: op.key, value: 0, remove: true });
      continue;
    }
    const error = validateValue(checked.keys, op.key, op.value);
    if (error) return error;
    if (existing.get(op.key) !== op.value) records.push({ entity, key: op.key, value: op.value, remove: false });
  }
  return { records };
}

/** Replays one ClientQuotaRecord; an entity left with no quota is dropped. */
export function applyClientQuotaRecord(quotas: Map<string, ClientQuotaEntry>, record: ClientQuotaRecord): void {
  const key = entityKey(record.entity);
  const previousSize = quotas.size;
  let entry = quotas.get(key);
  if (record.remove) {
    if (!entry) return;
    entry.quotas.delete(record.key);
    orderQuotaValues(entry.quotas);
    if (entry.quotas.size === 0) {
      quotas.delete(key);
      orderEntities(quotas, previousSize);
    }
    return;
  }
  if (!entry) {
    const entity = orderEntityParts(record.entity.map((p) => ({ entityType: p.entityType, entityName: p.entityName })));
    entry = { entity, quotas: new Map() };
    quotas.set(key, entry);
    orderEntities(quotas, previousSize);
  }
  entry.quotas.set(record.key, record.value);
  orderQuotaValues(entry.quotas);
}

export interface QuotaFilterComponent {
  entityType: string;
  matchType: number;
  match: string | null;
}

/** The entries a DescribeClientQuotas filter matches, or the error Kafka answers for the filter. */
export function describeClientQuotas(
  quotas: ReadonlyMap<string, ClientQuotaEntry>,
  components: readonly QuotaFilterComponent[],
  strict: boolean,
): ClientQuotaEntry[] | QuotaError {
  const exact = new Map<string, string | null>();
  const specified = new Set<string>();
  for (const c of components) {
    if (c.entityType === '') return invalid('Invalid empty entity type.');
    if (exact.has(c.entityType) || specified.has(c.entityType)) {
      return invalid(`Entity type ${c.entityType} cannot appear more than once in the filter.`);
    }
    const known: readonly string[] = Object.values(QuotaEntityType);
    if (!known.includes(c.entityType)) {
      return { errorCode: ErrorCode.UNSUPPORTED_VERSION, errorMessage: `Unsupported entity type ${c.entityType}` };
    }
    if (c.matchType === QuotaMatchType.EXACT) {
      if (c.match === null) return invalid('Request specified MATCH_TYPE_EXACT, but set match string to null.');
      exact.set(c.entityType, c.match);
    } else if (c.matchType === QuotaMatchType.DEFAULT) {
      if (c.match !== null) return invalid('Request specified MATCH_TYPE_DEFAULT, but also specified a match string.');
      exact.set(c.entityType, null);
    } else if (c.matchType === QuotaMatchType.SPECIFIED) {
      if (c.match !== null)
        return invalid('Request specified MATCH_TYPE_SPECIFIED, but also specified a match string.');
      specified.add(c.entityType);
    } else {
      return { errorCode: ErrorCode.UNSUPPORTED_VERSION, errorMessage: `Unknown match type ${c.matchType}` };
    }
  }
  const uses = (type: string): boolean => exact.has(type) || specified.has(type);
  if (uses(QuotaEntityType.IP) && (uses(QuotaEntityType.USER) || uses(QuotaEntityType.CLIENT_ID))) {
    return invalid(
      'Invalid entity filter component combination. IP filter component should not be used with user or clientId filter component.',
    );
  }
  const matches = (entry: ClientQuotaEntry): boolean => {
    const names = new Map(entry.entity.map((p) => [p.entityType, p.entityName]));
    if (strict && names.size !== exact.size + specified.size) return false;
    for (const [type, name] of exact) if (!names.has(type) || names.get(type) !== name) return false;
    for (const type of specified) if (!names.has(type)) return false;
    return true;
  };
  return [...quotas.values()].filter(matches);
}
