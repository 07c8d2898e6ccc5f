/**
 * Kafka's LineMessageReader (kafka-console-producer.sh's input): one record per line, with
 * parse.headers (`h1:v1,h2:v2<headers.delimiter>`), parse.key (`key<key.separator>`), null.marker,
 * ignore.error, and its checks and messages ("No key separator found on line number N: '...'").
 * headers.separator is a regular expression, as Kafka splits with Pattern.split.
 */
import type { OutgoingRecord } from '../../client/producer.js';
import { LineReaderError } from './errors.js';

export { LineReaderError };

export interface LineReaderSettings {
  parseKey: boolean;
  keySeparator: string;
  parseHeaders: boolean;
  headersDelimiter: string;
  headersSeparator: RegExp;
  headersSeparatorText: string;
  headersKeySeparator: string;
  ignoreError: boolean;
  nullMarker: string | null;
}

const KNOWN = [
  'topic',
  'parse.key',
  'key.separator',
  'parse.headers',
  'headers.delimiter',
  'headers.separator',
  'headers.key.separator',
  'ignore.error',
  'null.marker',
];

/** LineMessageReader.configure, with its checks. */
export function lineReaderSettings(props: Record<string, string>): LineReaderSettings {
  const unknown = Object.keys(props).filter((k) => !KNOWN.includes(k));
  if (unknown.length > 0)
    throw new LineReaderError(
      `${unknown.join(', ')}: not a property of the LineMessageReader (known: ${KNOWN.slice(1).join(', ')})`,
    );
  const flag = (key: string): boolean => (props[key] ?? 'false').trim().toLowerCase() === 'true';
  const s = {
    parseKey: flag('parse.key'),
    keySeparator: props['key.separator'] ?? '\t',
    parseHeaders: flag('parse.headers'),
    headersDelimiter: props['headers.delimiter'] ?? '\t',
    headersSeparatorText: props['headers.separator'] ?? ',',
    headersKeySeparator: props['headers.key.separator'] ?? ':',
    ignoreError: flag('ignore.error'),
    nullMarker: props['null.marker'] ?? null,
  };
  const pairs: Array<[string, string, string, string]> = [
    ['headers.delimiter', s.headersDelimiter, 'headers.separator', s.headersSeparatorText],
    ['headers.delimiter', s.headersDelimiter, 'headers.key.separator', s.headersKeySeparator],
    ['headers.separator', s.headersSeparatorText, 'headers.key.separator', s.headersKeySeparator],
  ];
  if (s.nullMarker !== null)
    pairs.push(
      ['null.marker', s.nullMarker, 'key.separator', s.keySeparator],
      ['null.marker', s.nullMarker, 'headers.separator', s.headersSeparatorText],
      ['null.marker', s.nullMarker, 'headers.delimiter', s.headersDelimiter],
      ['null.marker', s.nullMarker, 'headers.key.separator', s.headersKeySeparator],
    );
  for (const [a, av, b, bv] of pairs) if (av === bv) throw new LineReaderError(`${a} and ${b} may not be equal`);
  return { ...s, headersSeparator: new RegExp(s.headersSeparatorText) };
}

/** One input line as a record; `lineNumber` counts from 1. */
export function readLine(line: string, lineNumber: number, s: LineReaderSettings): OutgoingRecord {
  const part = (enabled: boolean, start: number, demarcation: string, name: string): string | null => {
    if (!enabled) return null;
    const at = line.indexOf(demarcation, start);
    if (at < 0) {
      if (s.ignoreError) return null;
      throw new LineReaderError(`No ${name} found on line number ${lineNumber}: '${line}'`);
    }
    return line.slice(start, at);
  };
  const headers = part(s.parseHeaders, 0, s.headersDelimiter, 'headers delimiter');
  const headerOffset = headers === null ? 0 : headers.length + s.headersDelimiter.length;
  const key = part(s.parseKey, headerOffset, s.keySeparator, 'key separator');
  const keyOffset = key === null ? 0 : key.length + s.keySeparator.length;
  const value = line.slice(headerOffset + keyOffset);
  const bytes = (text: string | null): Buffer | null =>
    text === null || text === s.nullMarker ? null : Buffer.from(text, 'utf8');
  return {
    key: bytes(key),
    value: bytes(value),
    headers: headers === null || headers === s.nullMarker ? [] : splitHeaders(headers, lineNumber, s),
  };
}

function splitHeaders(text: string, lineNumber: number, s: LineReaderSettings): OutgoingRecord['headers'] {
  return text.split(s.headersSeparator).map((pair) => {
    const at = pair.indexOf(s.headersKeySeparator);
    if (at < 0) {
      if (s.ignoreError) return { key: pair, value: null };
      throw new LineReaderError(`No header key separator found in pair '${pair}' on line number ${lineNumber}`);
    }
    const key = pair.slice(0, at);
    if (key === s.nullMarker)
      throw new LineReaderError(
        `Header keys should not be equal to the null marker '${s.nullMarker}' as they can't be null`,
      );
    const value = pair.slice(at + s.headersKeySeparator.length);
    return { key, value: value === s.nullMarker ? null : Buffer.from(value, 'utf8') };
  });
}
