/**
 * Kafka's DefaultMessageFormatter (kafka-console-consumer.sh's output): the value, and with
 * print.timestamp / print.partition / print.offset / print.headers / print.key the fields before
 * it, in that order, separated by key.separator, each record ended by line.separator; null.literal
 * for null keys, values and header values; print.value=false leaves the value out. Bytes are
 * written as they are (the tool's default deserializers). Only StringDeserializer is accepted as a
 * key/value/headers deserializer: it prints what the default does; others are refused.
 */
import type { ConsumedRecord } from '../../client/consumer.js';

export interface FormatterSettings {
  printTimestamp: boolean;
  printKey: boolean;
  printValue: boolean;
  printPartition: boolean;
  printOffset: boolean;
  printHeaders: boolean;
  keySeparator: Buffer;
  lineSeparator: Buffer;
  headersSeparator: Buffer;
  nullLiteral: Buffer;
}

const STRING_DESERIALIZER = 'org.apache.kafka.common.serialization.StringDeserializer';
const DESERIALIZER_KEYS = ['key.deserializer', 'value.deserializer', 'headers.deserializer'];
const KNOWN = [
  'print.timestamp',
  'print.key',
  'print.value',
  'print.partition',
  'print.offset',
  'print.headers',
  'key.separator',
  'line.separator',
  'headers.separator',
  'null.literal',
  ...DESERIALIZER_KEYS,
];

/** DefaultMessageFormatter.configure; an unsupported deserializer is an error naming it. */
export function formatterSettings(props: Record<string, string>): FormatterSettings {
  const flag = (key: string, fallback: boolean): boolean =>
    props[key] === undefined ? fallback : props[key].trim().toLowerCase() === 'true';
  const bytes = (key: string, fallback: string): Buffer => Buffer.from(props[key] ?? fallback, 'utf8');
  for (const key of DESERIALIZER_KEYS) {
    const value = props[key];
    if (value !== undefined && value !== STRING_DESERIALIZER)
      throw new Error(`${key}=${value}: Gregor's kafka-console-consumer prints with ${STRING_DESERIALIZER} only`);
  }
  for (const key of Object.keys(props)) {
    const prefixed = DESERIALIZER_KEYS.some((d) => key.startsWith(`${d}.`));
    if (!KNOWN.includes(key) && !prefixed)
      throw new Error(`${key}: not a property of the DefaultMessageFormatter (known: ${KNOWN.join(', ')})`);
  }
  return {
    printTimestamp: flag('print.timestamp', false),
    printKey: flag('print.key', false),
    printValue: flag('print.value', true),
    printPartition: flag('print.partition', false),
    printOffset: flag('print.offset', false),
    printHeaders: flag('print.headers', false),
    keySeparator: bytes('key.separator', '\t'),
    lineSeparator: bytes('line.separator', '\n'),
    headersSeparator: bytes('headers.separator', ','),
    nullLiteral: bytes('null.literal', 'null'),
  };
}

/** The bytes DefaultMessageFormatter.writeTo writes for one record. */
export function formatRecord(record: ConsumedRecord, s: FormatterSettings): Buffer {
  const parts: Buffer[] = [];
  const text = (value: string): void => {
    parts.push(Buffer.from(value, 'utf8'));
  };
  const separator = (column: boolean): void => {
    parts.push(column ? s.keySeparator : s.lineSeparator);
  };
  if (s.printTimestamp) {
    text(`${record.timestampType === 1 ? 'LogAppendTime' : 'CreateTime'}:${record.timestamp}`);
    separator(s.printOffset || s.printPartition || s.printHeaders || s.printKey || s.printValue);
  }
  if (s.printPartition) {
    text(`Partition:${record.partition}`);
    separator(s.printOffset || s.printHeaders || s.printKey || s.printValue);
  }
  if (s.printOffset) {
    text(`Offset:${record.offset}`);
    separator(s.printHeaders || s.printKey || s.printValue);
  }
  if (s.printHeaders) {
    if (record.headers.length === 0) text('NO_HEADERS');
    record.headers.forEach((h, i) => {
      text(`${h.key}:`);
      parts.push(h.value ?? s.nullLiteral);
      if (i < record.headers.length - 1) parts.push(s.headersSeparator);
    });
    separator(s.printKey || s.printValue);
  }
  if (s.printKey) {
    parts.push(record.key ?? s.nullLiteral);
    separator(s.printValue);
  }
  if (s.printValue) {
    parts.push(record.value ?? s.nullLiteral);
    parts.push(s.lineSeparator);
  }
  return Buffer.concat(parts);
}
