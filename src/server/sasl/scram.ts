/**
 * SASL/SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677), server side, as Kafka's
 * ScramSaslServer: client-first (gs2 header without channel binding, optional authzid equal
 * to the user), server-first with a random nonce, the salt and iterations of the stored
 * credential, client-final checked (channel binding, nonce, proof in constant time),
 * server-final with the server signature. Every credential failure gives the client the
 * same message, so it cannot tell unknown users from wrong passwords. All primitives are
 * node:crypto (pbkdf2, HMAC, hashes). Left out: delegation tokens (`tokenauth` extension).
 */
import { nodeCrypto } from '../../common/node-crypto.js';
import { SaslAuthenticationError, SaslMechanismError, type SaslServerExchange, type SaslStep } from './mechanism.js';

import { SCRAM_MIN_ITERATIONS, type ScramCredential, type ScramMechanismName } from '../../common/scram-credential.js';

export {
  SCRAM_MECHANISMS,
  SCRAM_MIN_ITERATIONS,
  SCRAM_MAX_ITERATIONS,
  type ScramMechanismName,
  type ScramCredential,
} from '../../common/scram-credential.js';

export type ScramCredentialLookup = (mechanism: ScramMechanismName, user: string) => ScramCredential | undefined;

export function scramHash(mechanism: ScramMechanismName): 'sha256' | 'sha512' {
  return mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512';
}

const hmac = (hash: string, key: Buffer, data: string | Buffer): Buffer =>
  nodeCrypto().createHmac(hash, key).update(data).digest();

/** Stored and server keys from a salted password (what AlterUserScramCredentials receives). */
export function scramCredentialFromSaltedPassword(
  mechanism: ScramMechanismName,
  saltedPassword: Buffer,
  salt: Buffer,
  iterations: number,
): ScramCredential {
  const hash = scramHash(mechanism);
  const clientKey = hmac(hash, saltedPassword, 'Client Key');
  return {
    salt,
    iterations,
    storedKey: nodeCrypto().createHash(hash).update(clientKey).digest(),
    serverKey: hmac(hash, saltedPassword, 'Server Key'),
  };
}

export function saltedPassword(
  mechanism: ScramMechanismName,
  password: string,
  salt: Buffer,
  iterations: number,
): Buffer {
  return saltPassword(scramHash(mechanism), password, salt, iterations);
}

/** RFC 5802 Hi(): PBKDF2 of the UTF-8 password, the hash's own length. Shared with the client side (src/client). */
export function saltPassword(hash: 'sha256' | 'sha512', password: string, salt: Buffer, iterations: number): Buffer {
  return nodeCrypto().pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, hash === 'sha256' ? 32 : 64, hash);
}

export function scramCredentialFromPassword(
  mechanism: ScramMechanismName,
  password: string,
  iterations = SCRAM_MIN_ITERATIONS,
  salt = nodeCrypto().randomBytes(32),
): ScramCredential {
  return scramCredentialFromSaltedPassword(
    mechanism,
    saltedPassword(mechanism, password, salt, iterations),
    salt,
    iterations,
  );
}

/** RFC 5802 saslname: `=2C` is ',' and `=3D` is '='; any other '=' is invalid. */
function decodeSaslName(name: string): string {
  if (/=(?!2C|3D)/.test(name)) throw new SaslMechanismError('Invalid SCRAM user name');
  return name.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

function attributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    const eq = part.indexOf('=');
    if (eq !== 1) throw new SaslMechanismError(`Invalid SCRAM message: ${part.slice(0, 16)}`);
    out.set(part[0]!, part.slice(2));
  }
  return out;
}

export class ScramExchange implements SaslServerExchange {
  private stage: 'first' | 'final' | 'done' = 'first';
  private user = '';
  private gs2Header = '';
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private credential: ScramCredential | undefined;

  constructor(
    private readonly mechanism: ScramMechanismName,
    private readonly lookup: ScramCredentialLookup,
  ) {}

  private invalidCredentials(): SaslAuthenticationError {
    return new SaslAuthenticationError(
      `Authentication failed during authentication due to invalid credentials with SASL mechanism ${this.mechanism}`,
    );
  }

  evaluate(token: Buffer): SaslStep {
    if (this.stage === 'first') return this.clientFirst(token.toString('utf8'));
    if (this.stage === 'final') return this.clientFinal(token.toString('utf8'));
    throw new SaslMechanismError('Unexpected SCRAM message after authentication');
  }

  private clientFirst(message: string): SaslStep {
    const m = /^([ny]|p=[^,]*),(a=[^,]*)?,(.*)$/.exec(message);
    if (!m) throw new SaslMechanismError('Invalid SCRAM client first message');
    if (m[1]!.startsWith('p=')) throw new SaslMechanismError('SCRAM channel binding is not supported');
    this.gs2Header = `${m[1]},${m[2] ?? ''},`;
    this.clientFirstBare = m[3]!;
    const attrs = attributes(this.clientFirstBare);
    const user = attrs.get('n');
    const clientNonce = attrs.get('r');
    if (user === undefined || user === '' || clientNonce === undefined || clientNonce === '')
      throw new SaslMechanismError('Invalid SCRAM client first message');
    this.user = decodeSaslName(user);
    const authzid = m[2] ? decodeSaslName(m[2].slice(2)) : '';
    if (authzid !== '' && authzid !== this.user)
      throw new SaslAuthenticationError(
        'Authentication failed: Client requested an authorization id that is different from username',
      );
    if (attrs.get('e') !== undefined || attrs.get('t') !== undefined || this.clientFirstBare.includes('tokenauth=')) {
      throw new SaslMechanismError('SCRAM delegation tokens are not supported');
    }
    this.credential = this.lookup(this.mechanism, this.user);
    if (this.credential !== undefined && this.credential.iterations < SCRAM_MIN_ITERATIONS) this.credential = undefined;
    // An unknown user still gets a well-formed challenge (a made-up salt) and fails at the proof.
    const salt =
      this.credential?.salt ?? nodeCrypto().createHash('sha256').update(`gregor-unknown-user:${this.user}`).digest();
    const iterations = this.credential?.iterations ?? SCRAM_MIN_ITERATIONS;
    this.nonce = clientNonce + nodeCrypto().randomBytes(24).toString('base64url');
    this.serverFirst = `r=${this.nonce},s=${salt.toString('base64')},i=${iterations}`;
    this.stage = 'final';
    return { challenge: Buffer.from(this.serverFirst, 'utf8'), complete: false };
  }

  private clientFinal(message: string): SaslStep {
    const proofAt = message.lastIndexOf(',p=');
    if (proofAt < 0) throw new SaslMechanismError('Invalid SCRAM client final message');
    const withoutProof = message.slice(0, proofAt);
    const attrs = attributes(withoutProof);
    if (attrs.get('c') !== Buffer.from(this.gs2Header, 'utf8').toString('base64'))
      throw new SaslMechanismError('Invalid SCRAM channel binding');
    // As Kafka: the final nonce must end with the server's combined nonce (librdkafka sends the client nonce twice).
    if (!(attrs.get('r') ?? '').endsWith(this.nonce))
      throw new SaslMechanismError('Invalid client nonce in the final client message.');
    const proof = Buffer.from(message.slice(proofAt + 3), 'base64');
    const credential = this.credential;
    const hash = scramHash(this.mechanism);
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    if (!credential || proof.length !== credential.storedKey.length) throw this.invalidCredentials();
    const clientSignature = hmac(hash, credential.storedKey, authMessage);
    const clientKey = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
    if (!nodeCrypto().timingSafeEqual(nodeCrypto().createHash(hash).update(clientKey).digest(), credential.storedKey))
      throw this.invalidCredentials();
    this.stage = 'done';
    const serverSignature = hmac(hash, credential.serverKey, authMessage);
    return { challenge: Buffer.from(`v=${serverSignature.toString('base64')}`, 'utf8'), complete: true };
  }

  authorizationId(): string {
    if (this.stage !== 'done') throw new Error('SCRAM exchange not complete');
    return this.user;
  }
}
