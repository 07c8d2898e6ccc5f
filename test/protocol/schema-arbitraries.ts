/**
 * fast-check arbitraries derived from the normalised schemas in
 * protocol/generated/schemas.json: a value for any struct at any version, with the
 * fields that version lacks left at the generated defaults.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { uuidFromBytes } from '../../protocol/primitives/uuid.js';

interface Range {
  min: number;
  max: number;
}
interface FieldType {
  kind: 'primitive' | 'struct' | 'array';
  name?: string;
  element?: { kind: 'primitive' | 'struct'; name: string };
}
interface Field {
  name: string;
  property: string;
  type: FieldType;
  versions: Range;
  nullableVersions: Range;
  taggedVersions: Range;
}
interface Struct {
  typeName: string;
  fields: Field[];
}
export interface NormalisedSchema {
  name: string;
  type: string;
  apiKey: number | null;
  validVersions: Range;
  flexibleVersions: Range;
  root: Struct;
  structs: Record<string, Struct>;
  folder?: string;
}

export function loadSchemas(): NormalisedSchema[] {
  const path = fileURLToPath(new URL('../../protocol/generated/schemas.json', import.meta.url));
  return JSON.parse(readFileSync(path, 'utf8')) as NormalisedSchema[];
}

const inRange = (r: Range, v: number): boolean => v >= r.min && v <= r.max;

type Defaults = Record<string, unknown>;
export type DefaultFactories = Record<string, unknown>;

function primitive(name: string, compactString: boolean): fc.Arbitrary<unknown> {
  switch (name) {
    case 'bool':
      return fc.boolean();
    case 'int8':
      return fc.integer({ min: -128, max: 127 });
    case 'int16':
      return fc.integer({ min: -32768, max: 32767 });
    case 'uint16':
      return fc.integer({ min: 0, max: 65535 });
    case 'int32':
      return fc.integer({ min: -2147483648, max: 2147483647 });
    case 'uint32':
      return fc.integer({ min: 0, max: 4294967295 });
    case 'int64':
      return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    case 'float64':
      return fc.double({ noNaN: true }).filter((x) => !Object.is(x, -0));
    case 'string':
      return fc.string({ unit: 'grapheme', maxLength: compactString ? 12 : 12 });
    case 'uuid':
      return fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => uuidFromBytes(Buffer.from(b)));
    case 'bytes':
    case 'records':
      return fc.uint8Array({ maxLength: 16 }).map((b) => Buffer.from(b));
    default:
      throw new Error(`unknown primitive ${name}`);
  }
}

/** An arbitrary for `struct` at `version`, starting from the generated defaults. */
export function structArbitrary(
  schema: NormalisedSchema,
  struct: Struct,
  version: number,
  factories: DefaultFactories,
): fc.Arbitrary<Defaults> {
  const parts: Record<string, fc.Arbitrary<unknown>> = {};
  for (const field of struct.fields) {
    if (!inRange(field.versions, version)) continue;
    const nullable = inRange(field.nullableVersions, version);
    let arb: fc.Arbitrary<unknown>;
    const t = field.type;
    if (t.kind === 'primitive') arb = primitive(t.name!, true);
    else if (t.kind === 'struct') arb = structArbitrary(schema, schema.structs[t.name!]!, version, factories);
    else {
      const el = t.element!;
      const elArb =
        el.kind === 'primitive'
          ? primitive(el.name, true)
          : structArbitrary(schema, schema.structs[el.name]!, version, factories);
      arb = fc.array(elArb, { maxLength: 3 });
    }
    const isRecords = t.kind === 'primitive' && t.name === 'records';
    parts[field.property] = nullable || isRecords ? fc.option(arb, { nil: null }) : arb;
  }
  const factory = factories[`default${struct.typeName}`];
  if (typeof factory !== 'function') throw new Error(`no default factory for ${struct.typeName}`);
  return fc.record(parts).map((values) => ({ ...(factory as () => Defaults)(), ...values }));
}
