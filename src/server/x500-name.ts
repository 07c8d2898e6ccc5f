/**
 * A certificate's subject as Java's X500Principal.getName() writes it (RFC 2253), the string Kafka's
 * DefaultKafkaPrincipalBuilder gives ssl.principal.mapping.rules and names SSL principals after:
 * the RDNs last first, joined by `,`, the attributes of a multi-valued RDN by `+` in their encoded
 * order. Only RFC 2253's keywords (CN, C, L, ST, O, OU, STREET, DC, UID) are named; any other
 * attribute (emailAddress, serialNumber, ...) is its dotted OID with `#` and the hex of the value's
 * DER, as is a value that is not a string type. String values escape `,=+<>#;"\` anywhere, a NUL
 * as `\00`, and leading and trailing spaces, as Java does. Read from the certificate's DER, since
 * node's `subject` text names attributes OpenSSL's way.
 */

interface Tlv {
  tag: number;
  /** The whole element: tag, length and contents. */
  element: Buffer;
  contents: Buffer;
}

function readTlv(der: Buffer, offset: number): Tlv {
  if (offset + 2 > der.length) throw new Error('truncated DER');
  const tag = der[offset]!;
  let length = der[offset + 1]!;
  let header = 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4 || offset + 2 + bytes > der.length) throw new Error('bad DER length');
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[offset + 2 + i]!;
    header += bytes;
  }
  const end = offset + header + length;
  if (end > der.length) throw new Error('truncated DER');
  return { tag, element: der.subarray(offset, end), contents: der.subarray(offset + header, end) };
}

/** The elements inside a SEQUENCE or SET's contents. */
function children(contents: Buffer): Tlv[] {
  const out: Tlv[] = [];
  for (let offset = 0; offset < contents.length;) {
    const tlv = readTlv(contents, offset);
    out.push(tlv);
    offset += tlv.element.length;
  }
  return out;
}

function oidText(contents: Buffer): string {
  const arcs: number[] = [];
  let value = 0;
  for (const byte of contents) {
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0;
    }
  }
  const first = arcs.shift() ?? 0;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...arcs].join('.');
}

/** RFC 2253's keywords, the only ones Java names in this format. */
const KEYWORDS = new Map([
  ['2.5.4.3', 'CN'],
  ['2.5.4.6', 'C'],
  ['2.5.4.7', 'L'],
  ['2.5.4.8', 'ST'],
  ['2.5.4.9', 'STREET'],
  ['2.5.4.10', 'O'],
  ['2.5.4.11', 'OU'],
  ['0.9.2342.19200300.100.1.25', 'DC'],
  ['0.9.2342.19200300.100.1.1', 'UID'],
]);

const PRINTABLE = 0x13;
const T61 = 0x14;
const IA5 = 0x16;
const GENERAL = 0x1b;
const BMP = 0x1e;
const UTF8 = 0x0c;

/** The text of a string-typed value (the types Java writes as text), else null. */
function stringValue(value: Tlv): string | null {
  switch (value.tag) {
    case UTF8:
      return value.contents.toString('utf8');
    case PRINTABLE:
    case T61:
    case IA5:
    case GENERAL:
      return value.contents.toString('latin1');
    case BMP:
      return Buffer.from(value.contents).swap16().toString('utf16le');
    default:
      return null;
  }
}

const ESCAPED = ',=+<>#;"\\';

function escapeValue(text: string): string {
  let body = '';
  for (const c of text) body += ESCAPED.includes(c) ? `\\${c}` : c === '\u0000' ? '\\00' : c;
  let lead = 0;
  while (lead < body.length && (body[lead] === ' ' || body[lead] === '\r')) lead++;
  let trail = body.length - 1;
  while (trail >= 0 && (body[trail] === ' ' || body[trail] === '\r')) trail--;
  let out = '';
  for (let i = 0; i < body.length; i++) out += i < lead || i > trail ? `\\${body[i]!}` : body[i]!;
  return out;
}

function attributeText(attribute: Tlv): string {
  const [type, value] = children(attribute.contents);
  if (type === undefined || value === undefined) throw new Error('bad AttributeTypeAndValue');
  const oid = oidText(type.contents);
  const keyword = KEYWORDS.get(oid);
  const text = keyword === undefined ? null : stringValue(value);
  if (keyword === undefined || text === null) return `${keyword ?? oid}=#${value.element.toString('hex')}`;
  return `${keyword}=${escapeValue(text)}`;
}

/** The RFC 2253 text of an X.501 Name (a SEQUENCE of RDN SETs), as Java writes it. */
function rfc2253NameOf(name: Tlv): string {
  return children(name.contents)
    .map((rdn) => children(rdn.contents).map(attributeText).join('+'))
    .reverse()
    .join(',');
}

/** The subject of a DER certificate, as Java's X500Principal.getName() writes it. */
export function rfc2253SubjectOf(certificateDer: Buffer): string {
  const certificate = readTlv(certificateDer, 0);
  const [tbs] = children(certificate.contents);
  if (tbs === undefined) throw new Error('bad certificate');
  const fields = children(tbs.contents);
  // [0] version (optional), serialNumber, signature, issuer, validity, subject
  const start = fields[0]?.tag === 0xa0 ? 1 : 0;
  const subject = fields[start + 4];
  if (subject === undefined) throw new Error('certificate without a subject');
  return rfc2253NameOf(subject);
}
