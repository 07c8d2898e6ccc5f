/** The errors of the request side: SASL exchanges and principal mapping. */

/** A failed exchange; `message` goes to the client in SaslAuthenticate's error message. */
export class SaslAuthenticationError extends Error {
  override readonly name = 'SaslAuthenticationError';
}

/** A malformed or mismatched exchange; the client gets Kafka's generic "invalid credentials" message, not this one. */
export class SaslMechanismError extends Error {
  override readonly name = 'SaslMechanismError';
}

export class NoMatchingRuleError extends Error {
  override readonly name = 'NoMatchingRuleError';
}
