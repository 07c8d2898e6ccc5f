/**
 * The client side of SASL for Gregor's client: SaslHandshake v1 (v0 frames are not used),
 * then SaslAuthenticate tokens for PLAIN (RFC 4616), SCRAM-SHA-256/512 (RFC 5802, built
 * on node:crypto's pbkdf2, HMAC and hashes; the server's signature is verified) or OAUTHBEARER
 * (RFC 7628: the GS2 header and `auth=Bearer`; an error challenge is acknowledged with ^A). A refused
 * mechanism or credentials raise a KafkaClientError with the broker's code
 * (UNSUPPORTED_SASL_MECHANISM, SASL_AUTHENTICATION_FAILED). Left out: channel binding,
 * SCRAM and OAUTHBEARER extensions, re-authentication (KIP-368).
 */
import { nodeCrypto } from '../common/node-crypto.js';
import { saltPassword } from '../server/sasl/scram.js';
import { KafkaClientError } from './errors.js';
import { oauthToken, OAuthTokenError } from './oauthbearer-token.js';
import type { ClientSasl } from './security.js';

const SASL_AUTHENTICATION_FAILED = 58;
const ILLEGAL_SASL_STATE = 34;

/** What the SASL exchange needs of a connection: one request at a time. */
export interface SaslTransport {
  readonly address: string;
  handshake(mechanism: string): Promise<{ errorCode: number; mechanisms: string[] }>;
  authenticate(token: Buffer): Promise<{ errorCode: number; errorMessage: string | null; authBytes: Buffer }>;
}

export async function authenticateSasl(transport: SaslTransport, sasl: ClientSasl): Promise<void> {
  const handshake = await transport.handshake(sasl.mechanism);
  if (handshake.errorCode !== 0) {
    throw new KafkaClientError(
      handshake.errorCode,
      `SaslHandshake ${sasl.mechanism} on ${transport.address}`,
      `the broker offers ${handshake.mechanisms.join(', ') || 'none'}`,
    );
  }
  const step = async (token: Buffer): Promise<Buffer> => {
    const response = await transport.authenticate(token);
    if (response.errorCode !== 0)
      throw new KafkaClientError(
        response.errorCode,
        `SaslAuthenticate ${sasl.mechanism}${sasl.mechanism === 'OAUTHBEARER' ? '' : ` as ${sasl.username}`} on ${transport.address}`,
        response.errorMessage,
      );
    return response.authBytes;
  };
  if (sasl.mechanism === 'OAUTHBEARER') {
    let token: string;
    try {
      token = await oauthToken(sasl.token);
    } catch (err) {
      if (err instanceof OAuthTokenError)
        throw new KafkaClientError(
          SASL_AUTHENTICATION_FAILED,
          `OAUTHBEARER token for ${transport.address}`,
          err.message,
        );
      throw err;
    }
    const challenge = await step(Buffer.from(`n,,\u0001auth=Bearer ${token}\u0001\u0001`, 'utf8'));
    // RFC 7628 §3.2.2: a non-empty answer is an error challenge; the client acknowledges it and fails.
    if (challenge.length > 0) {
      await step(Buffer.from([1]));
      throw new KafkaClientError(
        SASL_AUTHENTICATION_FAILED,
        `OAUTHBEARER on ${transport.address}`,
        challenge.toString('utf8'),
      );
    }
    return;
  }
  if (sasl.mechanism === 'PLAIN') {
    await step(Buffer.from(`\u0000${sasl.username}\u0000${sasl.password}`, 'utf8'));
    return;
  }
  const scram = new ScramClient(sasl.mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512', sasl.username, sasl.password);
  const serverFirst = await step(scram.clientFirst());
  const serverFinal = await step(scram.clientFinal(serverFirst.toString('utf8'), transport.address));
  scram.verifyServerFinal(serverFinal.toString('utf8'), transport.address);
}

/** Escapes a SCRAM user name (RFC 5802 §5.1: `=` → `=3D`, `,` → `=2C`). */
function saslName(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

function attributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    const eq = part.indexOf('=');
    if (eq === 1) out.set(part[0]!, part.slice(2));
  }
  return out;
}

/** One SCRAM conversation from the client's side (RFC 5802, without channel binding). */
export class ScramClient {
  private readonly clientNonce: string;
  private readonly clientFirstBare: string;
  private expectedServerSignature: Buffer | null = null;

  constructor(
    private readonly hash: 'sha256' | 'sha512',
    username: string,
    private readonly password: string,
    nonce = nodeCrypto().randomBytes(24).toString('base64'),
  ) {
    this.clientNonce = nonce;
    this.clientFirstBare = `n=${saslName(username)},r=${nonce}`;
  }

  clientFirst(): Buffer {
    return Buffer.from(`n,,${this.clientFirstBare}`, 'utf8');
  }

  clientFinal(serverFirst: string, where: string): Buffer {
    const attrs = attributes(serverFirst);
    const nonce = attrs.get('r');
    const salt = attrs.get('s');
    const iterations = Number(attrs.get('i'));
    if (attrs.has('e')) throw new KafkaClientError(SASL_AUTHENTICATION_FAILED, `SCRAM on ${where}`, attrs.get('e'));
    if (
      nonce === undefined ||
      salt === undefined ||
      !Number.isInteger(iterations) ||
      iterations < 1 ||
      !nonce.startsWith(this.clientNonce)
    ) {
      throw new KafkaClientError(ILLEGAL_SASL_STATE, `SCRAM on ${where}`, 'malformed server-first message');
    }
    const salted = saltPassword(this.hash, this.password, Buffer.from(salt, 'base64'), iterations);
    const clientKey = nodeCrypto().createHmac(this.hash, salted).update('Client Key').digest();
    const storedKey = nodeCrypto().createHash(this.hash).update(clientKey).digest();
    const withoutProof = `c=biws,r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirst},${withoutProof}`;
    const clientSignature = nodeCrypto().createHmac(this.hash, storedKey).update(authMessage).digest();
    const proof = Buffer.alloc(clientKey.length);
    for (let i = 0; i < proof.length; i++) proof[i] = clientKey[i]! ^ clientSignature[i]!;
    const serverKey = nodeCrypto().createHmac(this.hash, salted).update('Server Key').digest();
    this.expectedServerSignature = nodeCrypto().createHmac(this.hash, serverKey).update(authMessage).digest();
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`, 'utf8');
  }

  verifyServerFinal(serverFinal: string, where: string): void {
    const attrs = attributes(serverFinal);
    if (attrs.has('e')) throw new KafkaClientError(SASL_AUTHENTICATION_FAILED, `SCRAM on ${where}`, attrs.get('e'));
    const signature = Buffer.from(attrs.get('v') ?? '', 'base64');
    const expected = this.expectedServerSignature;
    if (!expected || signature.length !== expected.length || !nodeCrypto().timingSafeEqual(signature, expected)) {
      throw new KafkaClientError(
        SASL_AUTHENTICATION_FAILED,
        `SCRAM on ${where}`,
        'the server signature does not match: not the server that holds this user',
      );
    }
  }
}
