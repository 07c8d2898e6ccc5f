/**
 * Kafka's random uuids for the tools (kafka-storage random-uuid, format's directory ids).
 */
import { nodeCrypto } from '../../common/node-crypto.js';

/** Kafka's Uuid.randomUuid().toString(): never one starting with '-' nor the reserved zero/one ids. */
export function randomKafkaUuid(): string {
  for (;;) {
    const text = nodeCrypto().randomBytes(16).toString('base64url');
    if (!text.startsWith('-') && text !== 'AAAAAAAAAAAAAAAAAAAAAA' && text !== 'AAAAAAAAAAAAAAAAAAAAAQ') return text;
  }
}
