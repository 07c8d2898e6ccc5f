/**
 * The SASL state of one connection on a SASL_PLAINTEXT or SASL_SSL listener, as Kafka's
 * SaslServerAuthenticator: until authenticated, only ApiVersions and SaslHandshake (0-1)
 * are served, then SaslAuthenticate (0-2) tokens after a v1 handshake, or raw size-prefixed
 * tokens after a v0 one. An unknown mechanism gets UNSUPPORTED_SASL_MECHANISM, failed
 * credentials SASL_AUTHENTICATION_FAILED with Kafka's message, a second handshake or any other
 * request but SaslAuthenticate during authentication ILLEGAL_SASL_STATE (in that API's own
 * response shape, as Kafka's getErrorResponse); each is answered, then the connection is closed.
 * Any other request before the handshake, or a frame over sasl.server.max.receive.size,
 * closes the connection. Frames are handled one at a time until authentication completes;
 * afterwards they go straight to the dispatcher.
 * Re-authentication (KIP-368): with `connections.max.reauth.ms` set for the mechanism, or an
 * OAUTHBEARER token (which expires), the session lasts the smaller of the two and SaslAuthenticate
 * v1+ tells the client (session_lifetime_ms). A SaslHandshake on an authenticated connection (at
 * most one a second) starts re-authentication with the same mechanism; the principal must stay the
 * same (else SASL_AUTHENTICATION_FAILED, then close). Other requests keep being served while it
 * runs. Once the session has expired, any request but a re-authentication closes the connection,
 * as Kafka does; an idle expired connection stays open until it sends something.
 * A failure's answer and close wait connection.failed.authentication.delay.ms (default 100), as
 * Kafka's; a TLS handshake failure is not delayed (left out).
 */
import { readRequestHeader } from '../../../protocol/frame.js';
import { Reader } from '../../../protocol/primitives/index.js';
import { ErrorCode } from '../../../protocol/generated/error-codes.js';
import { SaslHandshakeApi } from '../../../protocol/generated/messages/17-sasl-handshake.js';
import { SaslAuthenticateApi } from '../../../protocol/generated/messages/36-sasl-authenticate.js';
import { encodeResponseFrame, type ConnectionInfo, type DispatchResult, type Dispatcher } from '../dispatcher.js';
import { userPrincipal } from '../principal.js';
import type { ListenerSasl } from './listener-sasl.js';
import { SaslAuthenticationError, type SaslServerExchange } from './mechanism.js';

const API_VERSIONS = 18;
const SASL_HANDSHAKE = 17;
const SASL_AUTHENTICATE = 36;

type State = 'handshake' | 'handshake-after-versions' | 'authenticate' | 'authenticate-raw' | 'complete' | 'failed';

export class SaslAuthenticator {
  private state: State = 'handshake';
  private exchange: SaslServerExchange | null = null;
  private mechanism = '';
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  /** When the session expires (ms), or null when it does not. */
  private sessionExpiresAtMs: number | null = null;
  /** During a re-authentication: who the connection was (it must stay so). */
  private previous: { principal: string; mechanism: string } | null = null;
  private lastReauthStartMs = Number.NEGATIVE_INFINITY;
  /** A re-authentication asked for another mechanism: refused at its SaslAuthenticate, as Kafka. */
  private badMechanismMessage: string | null = null;

  constructor(
    private readonly sasl: ListenerSasl,
    private readonly info: ConnectionInfo,
    private readonly dispatcher: Dispatcher,
  ) {}

  get authenticated(): boolean {
    return this.state === 'complete';
  }

  /** The largest frame accepted now: sasl.server.max.receive.size until authenticated. */
  maxFrameBytes(authenticatedLimit: number): number {
    return this.state === 'complete' ? authenticatedLimit : Math.min(authenticatedLimit, this.sasl.maxReceiveBytes);
  }

  submit(frame: Buffer): Promise<DispatchResult> {
    if (this.state === 'complete' && this.waiting === 0) {
      const gate = this.sessionGate(frame);
      if (gate !== 'reauthenticate') return gate ?? this.dispatcher.dispatch(frame, this.info);
    }
    this.waiting++;
    const turn = this.tail.then(() =>
      this.state === 'complete' ? null : this.step(frame).then((result) => this.delayedIfFailed(result)),
    );
    this.tail = turn.then(
      () => this.waiting--,
      () => this.waiting--,
    );
    return turn.then((result) => result ?? this.dispatcher.dispatch(frame, this.info));
  }

  /**
   * On an authenticated connection whose session may expire: 'reauthenticate' for a SaslHandshake
   * that starts a re-authentication, a close once the session has expired, null to serve the request.
   */
  private sessionGate(frame: Buffer): Promise<DispatchResult> | 'reauthenticate' | null {
    if (this.sessionExpiresAtMs === null) return null;
    const now = this.sasl.now();
    const apiKey = frame.length >= 2 ? frame.readInt16BE(0) : -1;
    if (apiKey === SASL_HANDSHAKE && now - this.lastReauthStartMs >= 1000) {
      this.lastReauthStartMs = now;
      this.previous = { principal: this.info.principal.name, mechanism: this.mechanism };
      this.state = 'handshake-after-versions';
      return 'reauthenticate';
    }
    if (now > this.sessionExpiresAtMs) return Promise.resolve({ kind: 'close', reason: 'SASL session expired' });
    return null;
  }

  /**
   * A failed authentication's answer and close wait connection.failed.authentication.delay.ms, as
   * Kafka delays them (a client retrying bad credentials cannot hammer the broker). Wall-clock time.
   */
  private delayedIfFailed(result: DispatchResult): Promise<DispatchResult> | DispatchResult {
    const delayMs = this.sasl.failedAuthenticationDelayMs;
    const closes = result.kind === 'close' || (result.kind === 'respond' && result.thenClose !== undefined);
    if (this.state !== 'failed' || !closes || delayMs <= 0) return result;
    return new Promise((resolve) => setTimeout(() => resolve(result), delayMs));
  }

  private fail(reason: string): DispatchResult {
    this.state = 'failed';
    return { kind: 'close', reason };
  }

  private async step(frame: Buffer): Promise<DispatchResult> {
    if (this.state === 'failed') return { kind: 'close', reason: 'SASL authentication failed' };
    if (this.state === 'authenticate-raw') return this.rawToken(frame);
    const r = new Reader(frame);
    let header;
    try {
      header = readRequestHeader(r);
    } catch {
      return this.fail(
        'Invalid request, potential reasons: kafka client configured with the wrong security protocol, it does not support KIP-43 or it is not a kafka client.',
      );
    }
    const { requestApiKey: apiKey, requestApiVersion: version, correlationId } = header;
    // during a re-authentication the old session serves other requests until it expires
    if (this.previous !== null && apiKey !== SASL_HANDSHAKE && apiKey !== SASL_AUTHENTICATE) {
      if (this.sessionExpiresAtMs !== null && this.sasl.now() > this.sessionExpiresAtMs)
        return { kind: 'close', reason: 'SASL session expired' };
      return this.dispatcher.dispatch(frame, this.info);
    }
    if (this.state === 'handshake' || this.state === 'handshake-after-versions') {
      if (apiKey === API_VERSIONS && this.state === 'handshake') {
        this.state = 'handshake-after-versions';
        return this.dispatcher.dispatch(frame, this.info);
      }
      if (apiKey !== SASL_HANDSHAKE)
        return this.fail(`Unexpected Kafka request of type ${apiKey} during SASL handshake.`);
      if (version < 0 || version > 1) return this.fail(`SaslHandshake v${version} is not supported`);
      const request = SaslHandshakeApi.decodeRequest(r, version);
      const respond = (errorCode: number): Buffer[] =>
        encodeResponseFrame(SASL_HANDSHAKE, version, correlationId, (w) =>
          SaslHandshakeApi.encodeResponse(w, version, { errorCode, mechanisms: this.sasl.mechanisms }),
        );
      const factory = this.sasl.exchanges.get(request.mechanism);
      if (!factory) {
        this.state = 'failed';
        return {
          kind: 'respond',
          frame: respond(ErrorCode.UNSUPPORTED_SASL_MECHANISM),
          thenClose: `Unsupported SASL mechanism ${request.mechanism}`,
        };
      }
      if (this.previous !== null && request.mechanism !== this.previous.mechanism)
        this.badMechanismMessage = `SASL mechanism '${request.mechanism}' requested by client is not supported for re-authentication of mechanism '${this.previous.mechanism}'`;
      this.mechanism = request.mechanism;
      this.exchange = factory();
      this.state = version === 0 ? 'authenticate-raw' : 'authenticate';
      return { kind: 'respond', frame: respond(ErrorCode.NONE) };
    }
    // state 'authenticate'
    if (apiKey === SASL_HANDSHAKE && version >= 0 && version <= 1) {
      this.state = 'failed';
      const frameOut = encodeResponseFrame(SASL_HANDSHAKE, version, correlationId, (w) =>
        SaslHandshakeApi.encodeResponse(w, version, { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] }),
      );
      return {
        kind: 'respond',
        frame: frameOut,
        thenClose: 'Unexpected Kafka request of type SASL_HANDSHAKE during SASL authentication.',
      };
    }
    if (apiKey !== SASL_AUTHENTICATE) {
      // Kafka answers it in its own shape with ILLEGAL_SASL_STATE, then closes
      const message = `Unexpected Kafka request of type ${apiKey} during SASL authentication.`;
      this.state = 'failed';
      const refused = await this.dispatcher.refuse(frame, this.info, ErrorCode.ILLEGAL_SASL_STATE, message);
      return refused === null ? this.fail(message) : { kind: 'respond', frame: refused, thenClose: message };
    }
    if (version < 0 || version > 2) return this.fail(`SaslAuthenticate v${version} is not supported`);
    const request = SaslAuthenticateApi.decodeRequest(r, version);
    const answer = (errorCode: number, errorMessage: string | null, authBytes: Buffer, lifetimeMs = 0): Buffer[] =>
      encodeResponseFrame(SASL_AUTHENTICATE, version, correlationId, (w) =>
        SaslAuthenticateApi.encodeResponse(w, version, {
          errorCode,
          errorMessage,
          authBytes,
          sessionLifetimeMs: BigInt(lifetimeMs),
        }),
      );
    try {
      if (this.badMechanismMessage !== null) throw new SaslAuthenticationError(this.badMechanismMessage);
      const { challenge, complete } = await this.exchange!.evaluate(request.authBytes);
      const lifetimeMs = complete ? this.complete() : 0;
      return { kind: 'respond', frame: answer(ErrorCode.NONE, null, challenge, lifetimeMs) };
    } catch (err) {
      this.state = 'failed';
      const message =
        err instanceof SaslAuthenticationError
          ? err.message
          : `Authentication failed during authentication due to invalid credentials with SASL mechanism ${this.mechanism}`;
      return {
        kind: 'respond',
        frame: answer(ErrorCode.SASL_AUTHENTICATION_FAILED, message, Buffer.alloc(0)),
        thenClose: message,
      };
    }
  }

  /** After a v0 handshake: the frame is the mechanism's token itself, answered the same way (failure closes without an answer). */
  private async rawToken(token: Buffer): Promise<DispatchResult> {
    try {
      const { challenge, complete } = await this.exchange!.evaluate(token);
      if (complete) this.complete();
      const size = Buffer.allocUnsafe(4);
      size.writeInt32BE(challenge.length, 0);
      return { kind: 'respond', frame: [size, challenge] };
    } catch (err) {
      return this.fail(err instanceof Error ? err.message : 'SASL authentication failed');
    }
  }

  /**
   * Authentication (or re-authentication) succeeded: the principal, and the session's lifetime
   * (returned, 0 when it does not expire): connections.max.reauth.ms for the mechanism and the
   * credential's own expiry, the smaller one, as Kafka's SaslServerAuthenticator.
   */
  private complete(): number {
    const name = this.exchange!.authorizationId();
    if (this.previous !== null && this.previous.principal !== name)
      throw new SaslAuthenticationError(
        `Cannot change principals during re-authentication from User.${this.previous.principal}: User.${name}`,
      );
    this.state = 'complete';
    this.previous = null;
    this.info.principal = userPrincipal(name);
    const now = this.sasl.now();
    const maxReauthMs = this.sasl.maxReauthMs.get(this.mechanism) ?? 0;
    const credentialExpiresAtMs = this.exchange!.credentialExpiresAtMs?.() ?? null;
    if (credentialExpiresAtMs === null && maxReauthMs <= 0) {
      this.sessionExpiresAtMs = null;
      return 0;
    }
    const untilCredentialExpires =
      credentialExpiresAtMs === null ? Number.POSITIVE_INFINITY : credentialExpiresAtMs - now;
    const lifetimeMs = Math.max(
      0,
      Math.min(untilCredentialExpires, maxReauthMs > 0 ? maxReauthMs : Number.POSITIVE_INFINITY),
    );
    this.sessionExpiresAtMs = now + lifetimeMs;
    return lifetimeMs;
  }
}
