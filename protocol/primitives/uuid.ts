/**
 * Kafka UUIDs travel as 16 bytes; in memory we keep Kafka's own text form
 * (URL-safe base64 without padding, as `Uuid.toString()` prints it).
 */
export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

export function uuidToBytes(uuid: string): Buffer {
  const bytes = Buffer.from(uuid, 'base64url');
  if (bytes.length !== 16) throw new TypeError(`not a Kafka uuid: ${uuid}`);
  return bytes;
}

export function uuidFromBytes(bytes: Buffer): string {
  return bytes.toString('base64url');
}

/** A random version-4 UUID in Kafka's text form, never the zero or the sentinel UUID. */
export function randomUuid(random: (size: number) => Buffer): string {
  for (;;) {
    const bytes = random(16);
    bytes[6] = (bytes[6]! & 0x0f) | 0x40;
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
    const text = uuidFromBytes(bytes);
    if (text !== ZERO_UUID && !text.startsWith('-')) return text;
  }
}
