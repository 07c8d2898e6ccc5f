/**
 * The answer to a request whose handler threw: the API's own response shape with
 * UNKNOWN_SERVER_ERROR in every error code, as Kafka's AbstractRequest.getErrorResponse
 * builds it. Built from Kafka's response schemas (protocol/generated/response-shapes.json,
 * trimmed by the generator, loaded on the first failure): each response array that
 * carries error codes mirrors the request array it answers (same property name, else a
 * shared key such as name / topicId / partitionIndex), copying the keys and setting every
 * error code; arrays without error codes are left empty, other fields take their schema
 * defaults, error messages Kafka's text. Left out: Kafka's per-API special cases (e.g.
 * Metadata listing brokers, JoinGroup's member id rules).
 */
import { ZERO_UUID } from '../../protocol/primitives/index.js';

interface Range {
  min: number;
  max: number;
}
type FieldType =
  { kind: 'primitive'; name: string } | { kind: 'struct'; name: string } | { kind: 'array'; element: FieldType };
interface Field {
  name: string;
  property: string;
  type: FieldType;
  versions: Range;
  nullableVersions: Range;
  default: string | null;
}
interface Struct {
  fields: Field[];
}
interface Schema {
  apiKey: number | null;
  root: Struct;
  structs: Record<string, Struct>;
}
type Message = Record<string, unknown>;

/** Kafka's message for UNKNOWN_SERVER_ERROR. */
export const UNKNOWN_SERVER_ERROR_MESSAGE = 'The server experienced an unexpected error when processing the request.';

/** Request fields a response key may be copied from, besides its own name. */
const KEY_ALIASES: Readonly<Record<string, readonly string[]>> = {
  partitionIndex: ['partitionIndex', 'partition', 'index'],
  index: ['index', 'partitionIndex', 'partition'],
  partition: ['partition', 'partitionIndex', 'index'],
  name: ['name', 'topic', 'topicName'],
  topic: ['topic', 'name', 'topicName'],
  topicName: ['topicName', 'name', 'topic'],
};
const KEY_NAMES = new Set([
  'name',
  'topic',
  'topicName',
  'topicId',
  'partitionIndex',
  'partition',
  'index',
  'groupId',
  'transactionalId',
  'resourceName',
  'resourceType',
  'key',
  'memberId',
  'brokerId',
]);

const inRange = (r: Range, v: number): boolean => v >= r.min && v <= r.max;
const isMessage = (v: unknown): v is Message =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);

let schemasByKey: Promise<Map<number, Schema>> | null = null;

/** Response schemas by API key, loaded once, on the first handler failure. */
function responseSchemas(): Promise<Map<number, Schema>> {
  schemasByKey ??= import('../../protocol/generated/response-shapes.json', { with: { type: 'json' } }).then(
    (module) => {
      // The bundle (scripts/bundle.mjs) embeds JSON as text, parsed here on first use.
      const raw: unknown = module.default;
      const all = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Schema[];
      return new Map(all.filter((s) => s.apiKey !== null).map((s) => [s.apiKey!, s]));
    },
  );
  return schemasByKey;
}

class ErrorResponseBuilder {
  constructor(
    private readonly schema: Schema,
    private readonly version: number,
    private readonly errorCode: number,
    private readonly errorMessage: string | null,
  ) {}

  struct(struct: Struct, request: Message | null): Message {
    const out: Message = {};
    for (const field of struct.fields) out[field.property] = this.field(field, request);
    return out;
  }

  private structOf(type: FieldType): Struct | null {
    return type.kind === 'struct' ? (this.schema.structs[type.name] ?? null) : null;
  }

  /** Whether a struct carries an error code, itself or in a nested field. */
  private carriesErrors(struct: Struct, seen = new Set<Struct>()): boolean {
    if (seen.has(struct)) return false;
    seen.add(struct);
    return struct.fields.some((f) => {
      if (f.type.kind === 'primitive') return f.type.name === 'int16' && f.name.endsWith('ErrorCode');
      const inner = this.structOf(f.type.kind === 'array' ? f.type.element : f.type);
      return inner !== null && this.carriesErrors(inner, seen);
    });
  }

  /** A struct with every field at its default (for fields the version does not have). */
  private defaults(struct: Struct): Message {
    const out: Message = {};
    for (const field of struct.fields) out[field.property] = this.absent(field);
    return out;
  }

  private absent(field: Field): unknown {
    const type = field.type;
    if (type.kind === 'array') return [];
    if (type.kind === 'primitive') return primitiveDefault(type.name, field.default, false);
    const struct = this.structOf(type);
    return struct === null ? null : this.defaults(struct);
  }

  private field(field: Field, request: Message | null): unknown {
    if (!inRange(field.versions, this.version)) return this.absent(field);
    const nullable = inRange(field.nullableVersions, this.version);
    const type = field.type;
    if (type.kind === 'primitive') return this.primitive(field, type.name, nullable, request);
    if (type.kind === 'struct') {
      const struct = this.structOf(type);
      if (struct === null || nullable) return null;
      const fromRequest = request?.[field.property];
      return this.struct(struct, isMessage(fromRequest) ? fromRequest : null);
    }
    const element = this.structOf(type.element);
    if (element === null) return [];
    if (!this.carriesErrors(element)) return [];
    return this.mirror(field, element, request);
  }

  private primitive(field: Field, name: string, nullable: boolean, request: Message | null): unknown {
    if (name === 'int16' && field.name.endsWith('ErrorCode')) return this.errorCode;
    if (field.name === 'ErrorMessage') return this.errorMessage ?? (nullable ? null : '');
    if (request !== null) {
      for (const alias of KEY_ALIASES[field.property] ?? [field.property]) {
        const v = request[alias];
        if (v !== undefined && sameKind(v, name)) return v;
      }
    }
    return primitiveDefault(name, field.default, nullable);
  }

  /** The response array answering the request's matching array, element for element. */
  private mirror(field: Field, element: Struct, request: Message | null): Message[] {
    if (request === null) return [];
    const keys = element.fields.filter((f) => f.type.kind === 'primitive' && KEY_NAMES.has(f.property));
    const candidates = Object.entries(request).filter(([, v]) => Array.isArray(v) && v.length > 0) as Array<
      [string, unknown[]]
    >;
    const sameName = candidates.find(([p, v]) => p === field.property && v.every(isMessage));
    const byKey = candidates.find(
      ([, v]) =>
        v.every(isMessage) &&
        keys.some((k) => (KEY_ALIASES[k.property] ?? [k.property]).some((a) => (v[0] as Message)[a] !== undefined)),
    );
    // An element without keys answers the request's one list of objects position by position
    // (CreateAcls' creations, DeleteAcls' filters).
    const objectLists = candidates.filter(([, v]) => v.every(isMessage));
    const positional = keys.length === 0 && objectLists.length === 1 ? objectLists[0] : undefined;
    const objects = sameName ?? byKey ?? positional;
    if (objects) return objects[1].map((r) => this.struct(element, r as Message));
    // A request list of bare keys (group ids, partition indexes) answered one element each.
    const firstKey = keys[0];
    const bare =
      firstKey && candidates.find(([, v]) => v.every((x) => sameKind(x, (firstKey.type as { name: string }).name)));
    if (!bare || !firstKey) return [];
    return bare[1].map((value) => this.struct(element, { [firstKey.property]: value }));
  }
}

function sameKind(value: unknown, primitive: string): boolean {
  switch (primitive) {
    case 'int64':
      return typeof value === 'bigint';
    case 'bool':
      return typeof value === 'boolean';
    case 'string':
    case 'uuid':
      return typeof value === 'string';
    case 'bytes':
    case 'records':
      return Buffer.isBuffer(value);
    default:
      return typeof value === 'number';
  }
}

/**
 * A field's value in an error answer: its default. Records are empty, never null, even where the
 * version allows null: Kafka answers a refused Fetch partition with MemoryRecords.EMPTY, and
 * librdkafka fails on a null record set ("invalid MessageSetSize -1") and fetches again at once.
 */
function primitiveDefault(name: string, dflt: string | null, nullable: boolean): unknown {
  if (dflt === 'null' || (nullable && dflt === null && (name === 'string' || name === 'bytes'))) return null;
  switch (name) {
    case 'int64':
      return dflt !== null && /^-?\d+$/.test(dflt) ? BigInt(dflt) : 0n;
    case 'bool':
      return dflt === 'true';
    case 'string':
      return dflt ?? '';
    case 'uuid':
      return ZERO_UUID;
    case 'bytes':
    case 'records':
      return Buffer.alloc(0);
    default: {
      const n = dflt === null ? 0 : Number(dflt);
      return Number.isFinite(n) ? n : 0;
    }
  }
}

/** The API's response to `request` at `version` with `errorCode` everywhere; null when the API has no schema. */
export async function buildErrorResponse(
  apiKey: number,
  version: number,
  request: unknown,
  errorCode: number,
  errorMessage: string | null = UNKNOWN_SERVER_ERROR_MESSAGE,
): Promise<Message | null> {
  const schema = (await responseSchemas()).get(apiKey);
  if (!schema) return null;
  return new ErrorResponseBuilder(schema, version, errorCode, errorMessage).struct(
    schema.root,
    isMessage(request) ? request : null,
  );
}
