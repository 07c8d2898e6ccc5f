/**
 * The SASL state of one connection on a SASL_PLAINTEXT or SASL_SSL listener, as Kafka's
 * SaslServerAuthenticator: until authenticated, only ApiVersions and SaslHandshake (0-1)
 * are served, then SaslAuthenticate (0-2) tokens after a v1 handshake, or raw size-prefixed
 * tokens after a v0 one. An unknown mechanism gets UNSUPPORTED_SASL_MECHANISM, failed
 * credentials SASL_AUTHENTICATION_FAILED with Kafka's message, a second handshake during
 * authentication ILLEGAL_SASL_STATE; each is answered, then the connection is closed. Any
 * other request before authentication, or a frame over sasl.server.max.receive.size,
 * closes the connection. Frames are handled one at a time until authentication completes;
 * afterwards they go straight to the dispatcher. Left out: re-authentication (KIP-368):
 * the session lifetime is 0 and a later SaslHandshake gets ILLEGAL_SASL_STATE.
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
    if (this.state === 'complete' && this.waiting === 0) return this.dispatcher.dispatch(frame, this.info);
    this.waiting++;
    const turn = this.tail.then(() => (this.state === 'complete' ? null : this.step(frame)));
    this.tail = turn.then(
      () => this.waiting--,
      () => this.waiting--,
    );
    return turn.then((result) => result ?? this.dispatcher.dispatch(frame, this.info));
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
    if (apiKey !== SASL_AUTHENTICATE)
      return this.fail(`Unexpected Kafka request of type ${apiKey} during SASL authentication.`);
    if (version < 0 || version > 2) return this.fail(`SaslAuthenticate v${version} is not supported`);
    const request = SaslAuthenticateApi.decodeRequest(r, version);
    const answer = (errorCode: number, errorMessage: string | null, authBytes: Buffer): Buffer[] =>
      encodeResponseFrame(SASL_AUTHENTICATE, version, correlationId, (w) =>
        SaslAuthenticateApi.encodeResponse(w, version, { errorCode, errorMessage, authBytes, sessionLifetimeMs: 0n }),
      );
    try {
      const { challenge, complete } = await this.exchange!.evaluate(request.authBytes);
      if (complete) this.complete();
      return { kind: 'respond', frame: answer(ErrorCode.NONE, null, challenge) };
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

  private complete(): void {
    this.state = 'complete';
    this.info.principal = userPrincipal(this.exchange!.authorizationId());
  }
}
