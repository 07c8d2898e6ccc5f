/**
 * SASL/PLAIN (RFC 4616) against the users of the JAAS config (`user_<name>="<password>"`
 * options of PlainLoginModule), as Kafka's PlainSaslServer: one message
 * `[authzid] NUL user NUL password`, passwords compared in constant time, and Kafka's
 * error messages.
 */
import { nodeCrypto } from '../../common/node-crypto.js';
import { SaslAuthenticationError, type SaslServerExchange } from './mechanism.js';

/** Constant-time equality of two secrets of any length (compared as SHA-256 digests). */
export function secretsEqual(a: string, b: string): boolean {
  const da = nodeCrypto().createHash('sha256').update(a, 'utf8').digest();
  const db = nodeCrypto().createHash('sha256').update(b, 'utf8').digest();
  return nodeCrypto().timingSafeEqual(da, db);
}

export class PlainExchange implements SaslServerExchange {
  private user: string | null = null;

  constructor(private readonly users: ReadonlyMap<string, string>) {}

  evaluate(token: Buffer): { challenge: Buffer; complete: boolean } {
    const parts = token.toString('utf8').split('\u0000');
    if (parts.length !== 3)
      throw new SaslAuthenticationError(`Invalid SASL/PLAIN response: expected 3 tokens, got ${parts.length}`);
    const [authzid, username, password] = parts as [string, string, string];
    if (username === '') throw new SaslAuthenticationError('Authentication failed: username not specified');
    if (password === '') throw new SaslAuthenticationError('Authentication failed: password not specified');
    const expected = this.users.get(username);
    // Compare even for an unknown user, so timing does not tell which users exist.
    const matches = secretsEqual(password, expected ?? '\u0000unknown user');
    if (expected === undefined || !matches)
      throw new SaslAuthenticationError('Authentication failed: Invalid username or password');
    if (authzid !== '' && authzid !== username)
      throw new SaslAuthenticationError(
        'Authentication failed: Client requested an authorization id that is different from username',
      );
    this.user = username;
    return { challenge: Buffer.alloc(0), complete: true };
  }

  authorizationId(): string {
    if (this.user === null) throw new Error('PLAIN exchange not complete');
    return this.user;
  }
}
