/**
 * Kafka's principal (`User:name`): who a connection is. Plain data, read by the server
 * (TLS and SASL make it, src/server/principal.ts maps certificates to it), forwarding
 * (Envelope) and authorization.
 */
export interface KafkaPrincipal {
  type: string;
  name: string;
  /** Authenticated with a delegation token (SCRAM `tokenauth`); such a client may not manage tokens. */
  tokenAuthenticated?: boolean;
}

export const ANONYMOUS: KafkaPrincipal = Object.freeze({ type: 'User', name: 'ANONYMOUS' });

export function userPrincipal(name: string): KafkaPrincipal {
  return { type: 'User', name };
}

export function principalToString(p: KafkaPrincipal): string {
  return `${p.type}:${p.name}`;
}
