/**
 * A SCRAM credential as the metadata log keeps it (UserScramCredentialRecord) and the
 * mechanisms Kafka knows: plain data, shared by the metadata image, the SASL server
 * (src/server/sasl/scram.ts, which re-exports these) and the client tools.
 */
export const SCRAM_MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type ScramMechanismName = (typeof SCRAM_MECHANISMS)[number];
/** Kafka's bounds on SCRAM iterations. */
export const SCRAM_MIN_ITERATIONS = 4096;
export const SCRAM_MAX_ITERATIONS = 16384;

export interface ScramCredential {
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
  iterations: number;
}
