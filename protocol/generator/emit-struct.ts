/**
 * Emits TypeScript for one message: an interface and a default factory per struct,
 * and a reader and writer per struct per version. Versions whose code comes out the
 * same share one function, so the output stays small while each version still gets
 * straight-line code with no version checks at run time.
 */
import { inRange, type FieldSpec, type MessageSpec, type PrimitiveType, type StructSpec } from './schema.js';

const FIXED_SIZE: Partial<Record<PrimitiveType, number>> = {
  bool: 1,
  int8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  float64: 8,
  uuid: 16,
};

const PRIMITIVE_READ: Partial<Record<PrimitiveType, string>> = {
  bool: 'bool',
  int8: 'int8',
  int16: 'int16',
  uint16: 'uint16',
  int32: 'int32',
  uint32: 'uint32',
  int64: 'int64',
  float64: 'float64',
  uuid: 'uuid',
};

function isNullableAnywhere(field: FieldSpec): boolean {
  return field.nullableVersions.min <= field.nullableVersions.max || field.default === 'null';
}

function primitiveTsType(name: PrimitiveType): string {
  switch (name) {
    case 'int64':
      return 'bigint';
    case 'bool':
      return 'boolean';
    case 'string':
    case 'uuid':
      return 'string';
    case 'bytes':
    case 'records':
      return 'Buffer';
    default:
      return 'number';
  }
}

export class MessageEmitter {
  private readonly out: string[] = [];
  private readonly bodies = new Map<string, string>();
  private readonly readerNames = new Map<string, string>();
  private readonly writerNames = new Map<string, string>();
  private readonly emittedTypes = new Set<string>();

  constructor(private readonly spec: MessageSpec) {}

  private struct(name: string): StructSpec {
    const found = this.spec.structs.get(name);
    if (!found) throw new Error(`${this.spec.name}: unknown struct ${name}`);
    return found;
  }

  tsType(field: FieldSpec): string {
    const t = field.type;
    let base: string;
    if (t.kind === 'primitive') base = primitiveTsType(t.name);
    else if (t.kind === 'struct') base = this.struct(t.name).typeName;
    else {
      const el =
        t.element.kind === 'primitive' ? primitiveTsType(t.element.name) : this.struct(t.element.name).typeName;
      base = `${el}[]`;
    }
    const nullable = isNullableAnywhere(field) || (t.kind === 'primitive' && t.name === 'records');
    return nullable ? `${base} | null` : base;
  }

  defaultExpr(field: FieldSpec): string {
    const t = field.type;
    const d = field.default;
    if (d === 'null') return 'null';
    if (t.kind === 'array') return '[]';
    if (t.kind === 'struct') return `default${this.struct(t.name).typeName}()`;
    switch (t.name) {
      case 'bool':
        return d === 'true' ? 'true' : 'false';
      case 'int64':
        return d !== null && d !== '' ? `${BigInt(d)}n` : '0n';
      case 'string':
        return JSON.stringify(d ?? '');
      case 'uuid':
        return 'ZERO_UUID';
      case 'bytes':
        return 'EMPTY_BYTES';
      case 'records':
        return 'null';
      default:
        return d !== null && d !== '' ? String(Number(d)) : '0';
    }
  }

  /** An expression that is true when `value` equals the field's default. */
  isDefaultExpr(field: FieldSpec, value: string): string {
    const t = field.type;
    const d = this.defaultExpr(field);
    if (t.kind === 'array') return d === 'null' ? `${value} === null` : `(${value} === null || ${value}.length === 0)`;
    if (t.kind === 'struct') return d === 'null' ? `${value} === null` : `deepEqual(${value}, ${d})`;
    if (t.name === 'bytes') return d === 'null' ? `${value} === null` : `(${value} === null || ${value}.length === 0)`;
    return `${value} === ${d}`;
  }

  minSize(struct: StructSpec, version: number, flexible: boolean): number {
    let size = flexible ? 1 : 0;
    for (const field of struct.fields) {
      if (!inRange(field.versions, version) || inRange(field.taggedVersions, version)) continue;
      size += this.fieldMinSize(field, version, flexible);
    }
    return size;
  }

  private fieldMinSize(field: FieldSpec, version: number, flexible: boolean): number {
    const t = field.type;
    const compact = this.fieldFlexible(field, version, flexible);
    if (t.kind === 'array') return compact ? 1 : 4;
    if (t.kind === 'struct') {
      if (inRange(field.nullableVersions, version)) return 1;
      return this.minSize(this.struct(t.name), version, flexible);
    }
    const fixed = FIXED_SIZE[t.name];
    if (fixed !== undefined) return fixed;
    if (t.name === 'string') return compact ? 1 : 2;
    return compact ? 1 : 4;
  }

  private fieldFlexible(field: FieldSpec, version: number, flexible: boolean): boolean {
    return field.flexibleVersions ? inRange(field.flexibleVersions, version) : flexible;
  }

  private primitiveRead(name: PrimitiveType, nullable: boolean, compact: boolean, r: string): string {
    const fixed = PRIMITIVE_READ[name];
    if (fixed) return `${r}.${fixed}()`;
    if (name === 'string') {
      if (compact) return nullable ? `${r}.compactNullableString()` : `${r}.compactString()`;
      return nullable ? `${r}.nullableString()` : `${r}.string()`;
    }
    const isNullable = nullable || name === 'records';
    if (compact) return isNullable ? `${r}.compactNullableBytes()` : `${r}.compactBytes()`;
    return isNullable ? `${r}.nullableBytes()` : `${r}.bytes()`;
  }

  private primitiveWrite(
    name: PrimitiveType,
    nullable: boolean,
    compact: boolean,
    value: string,
    what: string,
    mayBeNull = false,
  ): string {
    const fixed = PRIMITIVE_READ[name];
    if (fixed) return `w.${fixed}(${value})`;
    const kind = name === 'string' ? 'String' : 'Bytes';
    const isNullable = nullable || name === 'records';
    if (isNullable) return compact ? `w.compactNullable${kind}(${value})` : `w.nullable${kind}(${value})`;
    const checked = mayBeNull ? `nonNull(${value}, ${JSON.stringify(what)})` : value;
    return compact ? `w.compact${kind}(${checked})` : `w.${kind.toLowerCase()}(${checked})`;
  }

  private readExpr(field: FieldSpec, version: number, flexible: boolean, tagged: boolean, r: string): string {
    const t = field.type;
    const compact = tagged || this.fieldFlexible(field, version, flexible);
    const nullable = inRange(field.nullableVersions, version);
    const what = JSON.stringify(field.name);
    if (t.kind === 'primitive') return this.primitiveRead(t.name, nullable, compact, r);
    if (t.kind === 'struct') {
      const read = `${this.readerFor(this.struct(t.name), version, flexible)}(${r})`;
      return nullable ? `(${r}.int8() < 0 ? null : ${read})` : read;
    }
    const el = t.element;
    const elementRead =
      el.kind === 'primitive'
        ? `(e) => ${this.primitiveRead(el.name, false, compact, 'e')}`
        : this.readerFor(this.struct(el.name), version, flexible);
    const elementMin =
      el.kind === 'primitive'
        ? (FIXED_SIZE[el.name] ?? 1)
        : Math.max(1, this.minSize(this.struct(el.name), version, flexible));
    const fn = nullable ? 'readArray' : 'readNonNullArray';
    const nullArg = nullable ? `, true` : '';
    return `${fn}(${r}, ${compact}${nullArg}, ${elementMin}, ${elementRead}, ${what})`;
  }

  private writeStmt(
    field: FieldSpec,
    version: number,
    flexible: boolean,
    tagged: boolean,
    value: string,
    structName: string,
  ): string {
    const t = field.type;
    const compact = tagged || this.fieldFlexible(field, version, flexible);
    const nullable = inRange(field.nullableVersions, version);
    const what = `${structName}.${field.property}`;
    if (t.kind === 'primitive') {
      const mayBeNull = this.tsType(field).endsWith('| null');
      return `${this.primitiveWrite(t.name, nullable, compact, value, what, mayBeNull)};`;
    }
    if (t.kind === 'struct') {
      const writer = this.writerFor(this.struct(t.name), version, flexible);
      if (nullable) return `if (${value} === null) w.int8(-1); else { w.int8(1); ${writer}(w, ${value}); }`;
      return `${writer}(w, nonNull(${value}, ${JSON.stringify(what)}));`;
    }
    const el = t.element;
    const elementWrite =
      el.kind === 'primitive'
        ? `(w, e) => ${this.primitiveWrite(el.name, false, compact, 'e', what)}`
        : this.writerFor(this.struct(el.name), version, flexible);
    return `writeArray(w, ${compact}, ${value}, ${elementWrite}, ${nullable}, ${JSON.stringify(what)});`;
  }

  private share(kind: 'read' | 'write', struct: StructSpec, version: number, body: string): string {
    const key = `${kind}:${struct.typeName}:${body}`;
    const existing = this.bodies.get(key);
    if (existing) return existing;
    const name = `${kind}${struct.typeName}V${version}`;
    this.bodies.set(key, name);
    this.out.push(body.replace('FUNCTION_NAME', name));
    return name;
  }

  readerFor(struct: StructSpec, version: number, flexible: boolean): string {
    const memo = `${struct.typeName}:${version}`;
    const known = this.readerNames.get(memo);
    if (known) return known;
    const lines: string[] = [];
    const regular = struct.fields.filter(
      (f) => inRange(f.versions, version) && !(flexible && inRange(f.taggedVersions, version)),
    );
    const tagged = flexible
      ? struct.fields.filter((f) => inRange(f.versions, version) && inRange(f.taggedVersions, version))
      : [];
    for (const f of regular)
      lines.push(`  const f_${f.property} = ${this.readExpr(f, version, flexible, false, 'r')};`);
    for (const f of tagged) lines.push(`  let f_${f.property}: ${this.tsType(f)} = ${this.defaultExpr(f)};`);
    if (flexible) {
      if (tagged.length === 0) lines.push('  r.taggedFields();');
      else {
        lines.push('  r.taggedFields((tag, t) => {');
        lines.push('    switch (tag) {');
        for (const f of tagged) {
          lines.push(`      case ${f.tag ?? -1}:`);
          lines.push(`        f_${f.property} = ${this.readExpr(f, version, flexible, true, 't')};`);
          lines.push('        break;');
        }
        lines.push('    }');
        lines.push('  });');
      }
    }
    const props = struct.fields.map((f) => {
      const present = regular.includes(f) || tagged.includes(f);
      return `    ${f.property}: ${present ? `f_${f.property}` : this.defaultExpr(f)},`;
    });
    const usesR = lines.some((l) => /\br[.,)]/.test(l));
    const body = [
      `function FUNCTION_NAME(${usesR ? 'r' : '_r'}: Reader): ${struct.typeName} {`,
      ...lines,
      '  return {',
      ...props,
      '  };',
      '}',
      '',
    ].join('\n');
    const name = this.share('read', struct, version, body);
    this.readerNames.set(memo, name);
    return name;
  }

  writerFor(struct: StructSpec, version: number, flexible: boolean): string {
    const memo = `${struct.typeName}:${version}`;
    const known = this.writerNames.get(memo);
    if (known) return known;
    const lines: string[] = [];
    const tagged = flexible
      ? struct.fields.filter((f) => inRange(f.versions, version) && inRange(f.taggedVersions, version))
      : [];
    for (const f of struct.fields) {
      const value = `m.${f.property}`;
      if (!inRange(f.versions, version)) {
        if (!f.ignorable) {
          lines.push(
            `  if (!(${this.isDefaultExpr(f, value)})) absentField(${JSON.stringify(`${struct.typeName}.${f.property}`)});`,
          );
        }
        continue;
      }
      if (tagged.includes(f)) continue;
      lines.push(`  ${this.writeStmt(f, version, flexible, false, value, struct.typeName)}`);
    }
    if (flexible) {
      if (tagged.length === 0) lines.push('  w.uvarint(0);');
      else {
        lines.push('  let tagCount = 0;');
        for (const f of tagged) lines.push(`  if (!(${this.isDefaultExpr(f, `m.${f.property}`)})) tagCount++;`);
        lines.push('  w.uvarint(tagCount);');
        const sorted = [...tagged].sort((a, b) => (a.tag ?? 0) - (b.tag ?? 0));
        for (const f of sorted) {
          const stmt = this.writeStmt(f, version, flexible, true, `m.${f.property}`, struct.typeName);
          lines.push(
            `  if (!(${this.isDefaultExpr(f, `m.${f.property}`)})) writeTaggedField(w, ${f.tag ?? -1}, (w) => { ${stmt} });`,
          );
        }
      }
    }
    const usesM = lines.some((l) => l.includes('m.'));
    const usesW = lines.some((l) => /\bw[.,)]/.test(l));
    const body = [
      `function FUNCTION_NAME(${usesW ? 'w' : '_w'}: Writer, ${usesM ? 'm' : '_m'}: ${struct.typeName}): void {`,
      ...lines,
      '}',
      '',
    ].join('\n');
    const name = this.share('write', struct, version, body);
    this.writerNames.set(memo, name);
    return name;
  }

  private emitType(struct: StructSpec): void {
    if (this.emittedTypes.has(struct.typeName)) return;
    this.emittedTypes.add(struct.typeName);
    const lines = [`export interface ${struct.typeName} {`];
    for (const f of struct.fields) {
      const about = f.about.replace(/\*\//g, '* /');
      lines.push(`  /** ${about} (versions ${fmt(f.versions.min, f.versions.max)}) */`);
      lines.push(`  ${f.property}: ${this.tsType(f)};`);
    }
    lines.push('}', '');
    lines.push(`export function default${struct.typeName}(): ${struct.typeName} {`);
    lines.push('  return {');
    for (const f of struct.fields) lines.push(`    ${f.property}: ${this.defaultExpr(f)},`);
    lines.push('  };', '}', '');
    this.out.push(lines.join('\n'));
  }

  /** Emits everything for the message and returns the TypeScript source (without imports). */
  emit(): string {
    for (const s of this.spec.structs.values()) this.emitType(s);
    this.emitType(this.spec.root);
    const { min, max } = this.spec.validVersions;
    const readers: string[] = [];
    const writers: string[] = [];
    for (let v = 0; v <= max; v++) {
      if (v < min) {
        readers.push('undefined');
        writers.push('undefined');
        continue;
      }
      const flexible = inRange(this.spec.flexibleVersions, v);
      readers.push(this.readerFor(this.spec.root, v, flexible));
      writers.push(this.writerFor(this.spec.root, v, flexible));
    }
    const n = this.spec.name;
    this.out.push(
      [
        `const ${n}Readers: ReadonlyArray<((r: Reader) => ${n}) | undefined> = [${readers.join(', ')}];`,
        `const ${n}Writers: ReadonlyArray<((w: Writer, m: ${n}) => void) | undefined> = [${writers.join(', ')}];`,
        '',
        `export function decode${n}(r: Reader, version: number): ${n} {`,
        `  const read = ${n}Readers[version];`,
        `  if (read === undefined) throw new ProtocolDecodeError(\`${n} version \${version} is not supported\`);`,
        '  return read(r);',
        '}',
        '',
        `export function encode${n}(w: Writer, version: number, message: ${n}): void {`,
        `  const write = ${n}Writers[version];`,
        `  if (write === undefined) throw new ProtocolEncodeError(\`${n} version \${version} is not supported\`);`,
        '  write(w, message);',
        '}',
        '',
      ].join('\n'),
    );
    return this.out.join('\n');
  }
}

function fmt(min: number, max: number): string {
  if (min > max) return 'none';
  return max >= 0x7fff ? `${min}+` : min === max ? `${min}` : `${min}-${max}`;
}
