/**
 * Loads Kafka's message schemas (JSON with // comments) and normalises them into a
 * form the emitter and the property tests share: version ranges as numbers, field
 * types split into kind + element, nested and common structs resolved by name.
 */
import { readFileSync } from 'node:fs';

export const OPEN_END = 0x7fff;

export interface VersionRange {
  min: number;
  max: number;
}

export type PrimitiveType =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'float64'
  | 'string'
  | 'uuid'
  | 'bytes'
  | 'records';

export const PRIMITIVES: ReadonlySet<string> = new Set([
  'bool',
  'int8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'float64',
  'string',
  'uuid',
  'bytes',
  'records',
]);

/** A field's type: a primitive, a struct, or an array of either. */
export type FieldType =
  | { kind: 'primitive'; name: PrimitiveType }
  | { kind: 'struct'; name: string }
  | { kind: 'array'; element: { kind: 'primitive'; name: PrimitiveType } | { kind: 'struct'; name: string } };

export interface FieldSpec {
  /** Kafka's PascalCase name. */
  name: string;
  /** The camelCase property name in TypeScript. */
  property: string;
  type: FieldType;
  versions: VersionRange;
  nullableVersions: VersionRange;
  taggedVersions: VersionRange;
  tag: number | null;
  ignorable: boolean;
  /** The raw default from the schema, if any. */
  default: string | null;
  /** Overrides the message's flexible versions for this field (ClientId in the request header). */
  flexibleVersions: VersionRange | null;
  about: string;
}

export interface StructSpec {
  /** The TypeScript type name, prefixed with the message name. */
  typeName: string;
  /** Kafka's own struct name. */
  name: string;
  fields: FieldSpec[];
  /** Versions in which the struct exists at all. */
  versions: VersionRange;
}

export interface MessageSpec {
  name: string;
  type: string;
  apiKey: number | null;
  validVersions: VersionRange;
  flexibleVersions: VersionRange;
  latestVersionUnstable: boolean;
  listeners: string[];
  /** The top-level struct, named after the message. */
  root: StructSpec;
  /** Every nested and common struct, by Kafka name. */
  structs: Map<string, StructSpec>;
}

/** Removes // comments outside string literals. */
export function stripComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') {
        out += text[i + 1] ?? '';
        i++;
      } else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else out += c;
  }
  return out;
}

export function parseVersions(text: string | undefined): VersionRange {
  if (text === undefined || text === 'none') return { min: 1, max: 0 };
  const trimmed = text.trim();
  if (trimmed.endsWith('+')) return { min: Number(trimmed.slice(0, -1)), max: OPEN_END };
  const dash = trimmed.indexOf('-');
  if (dash > 0) return { min: Number(trimmed.slice(0, dash)), max: Number(trimmed.slice(dash + 1)) };
  const single = Number(trimmed);
  if (!Number.isInteger(single)) throw new Error(`bad version range: ${text}`);
  return { min: single, max: single };
}

export function inRange(range: VersionRange, version: number): boolean {
  return version >= range.min && version <= range.max;
}

function camel(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

interface RawField {
  name: string;
  type: string;
  versions?: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  ignorable?: boolean;
  default?: string | number | boolean;
  flexibleVersions?: string;
  about?: string;
  fields?: RawField[];
}

interface RawStruct {
  name: string;
  versions?: string;
  fields: RawField[];
}

interface RawMessage {
  name: string;
  type: string;
  apiKey?: number;
  validVersions: string;
  flexibleVersions?: string;
  latestVersionUnstable?: boolean;
  listeners?: string[];
  fields: RawField[];
  commonStructs?: RawStruct[];
}

function parseType(type: string): FieldType {
  if (type.startsWith('[]')) {
    const element = type.slice(2);
    return {
      kind: 'array',
      element: PRIMITIVES.has(element)
        ? { kind: 'primitive', name: element as PrimitiveType }
        : { kind: 'struct', name: element },
    };
  }
  if (PRIMITIVES.has(type)) return { kind: 'primitive', name: type as PrimitiveType };
  return { kind: 'struct', name: type };
}

export function loadMessage(path: string): MessageSpec {
  const raw = JSON.parse(stripComments(readFileSync(path, 'utf8'))) as RawMessage;
  const structs = new Map<string, StructSpec>();
  const prefix = raw.name;

  const convertFields = (fields: RawField[], parentVersions: VersionRange): FieldSpec[] =>
    fields.map((f) => {
      const type = parseType(f.type);
      // A field given only taggedVersions exists in exactly those versions (as Kafka's generator reads it).
      const versions = parseVersions(f.versions ?? f.taggedVersions);
      if (f.fields) {
        const structName = type.kind === 'array' ? type.element.name : type.name;
        structs.set(structName, {
          typeName: prefix + structName,
          name: structName,
          fields: convertFields(f.fields, versions),
          versions,
        });
      }
      void parentVersions;
      return {
        name: f.name,
        property: camel(f.name),
        type,
        versions,
        nullableVersions: parseVersions(f.nullableVersions),
        taggedVersions: parseVersions(f.taggedVersions),
        tag: f.tag ?? null,
        ignorable: f.ignorable ?? false,
        default: f.default === undefined ? null : String(f.default),
        flexibleVersions: f.flexibleVersions === undefined ? null : parseVersions(f.flexibleVersions),
        about: f.about ?? '',
      };
    });

  const validVersions = parseVersions(raw.validVersions);
  for (const common of raw.commonStructs ?? []) {
    const versions = parseVersions(common.versions ?? '0+');
    structs.set(common.name, {
      typeName: prefix + common.name,
      name: common.name,
      fields: convertFields(common.fields, versions),
      versions,
    });
  }
  const root: StructSpec = {
    typeName: raw.name,
    name: raw.name,
    fields: convertFields(raw.fields, validVersions),
    versions: validVersions,
  };
  return {
    name: raw.name,
    type: raw.type,
    apiKey: raw.apiKey ?? null,
    validVersions,
    flexibleVersions: parseVersions(raw.flexibleVersions),
    latestVersionUnstable: raw.latestVersionUnstable ?? false,
    listeners: raw.listeners ?? [],
    root,
    structs,
  };
}
