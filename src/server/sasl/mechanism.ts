/** The server side of one SASL exchange, as each mechanism (PLAIN, SCRAM-*) implements it. */

/** A failed exchange; `message` goes to the client in SaslAuthenticate's error message. */
export class SaslAuthenticationError extends Error {
  override readonly name = 'SaslAuthenticationError';
}

/** A malformed or mismatched exchange; the client gets Kafka's generic "invalid credentials" message, not this one. */
export class SaslMechanismError extends Error {
  override readonly name = 'SaslMechanismError';
}

export interface SaslStep {
  /** Bytes for the client (empty when the mechanism has nothing to say). */
  challenge: Buffer;
  /** The exchange is over and the client is authenticated. */
  complete: boolean;
}

export interface SaslServerExchange {
  /** Evaluates the client's next token; throws SaslAuthenticationError when authentication fails. */
  evaluate(token: Buffer): Promise<SaslStep> | SaslStep;
  /** The authenticated user name, once complete. */
  authorizationId(): string;
}

export type SaslExchangeFactory = () => SaslServerExchange;
