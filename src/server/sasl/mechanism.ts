/** The server side of one SASL exchange, as each mechanism (PLAIN, SCRAM-*) implements it. */
import { SaslAuthenticationError } from '../errors.js';
export { SaslMechanismError } from '../errors.js';
export { SaslAuthenticationError };

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
  /** When the credential expires (OAUTHBEARER tokens), ms since the epoch; the session ends then at the latest. */
  credentialExpiresAtMs?(): number | null;
}

export type SaslExchangeFactory = () => SaslServerExchange;
