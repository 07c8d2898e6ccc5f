/**
 * Turns one request frame into one response frame. Parses the header, finds the
 * handler in the table, checks the version, decodes, runs, and encodes the response
 * with the right header version. An unknown API key, an unimplemented API or a body
 * that does not decode closes the connection, as Kafka does; a handler that throws is
 * answered with UNKNOWN_SERVER_ERROR in its API's shape (error-response.ts); an unsupported version of
 * ApiVersions gets UNSUPPORTED_VERSION in the v0 layout. On a node that is not the active
 * controller, metadata-changing requests on broker listeners are forwarded to it in an Envelope
 * (services.forwarder, see controller/forwarding.ts) and its answer is sent back unchanged.
 */
import { readRequestHeader, encodeFrame, writeResponseHeader } from '../../protocol/frame.js';
import type { ParsedRequestHeader } from '../../protocol/frame.js';
import { Reader, Writer } from '../../protocol/primitives/index.js';
import { ApiVersionsApi } from '../../protocol/generated/messages/18-api-versions.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { Logger } from '../common/logger.js';
import type { Clock } from '../common/clock.js';
import type { BrokerServices } from './services.js';
import type { RequestContext } from './request-context.js';
import type { KafkaPrincipal } from './principal.js';
import { CloseConnection, HandlerFailure, type HandlerTables, type RegisteredHandler } from './handler-contract.js';
import { forwardedThrottleMs } from './forwarded-throttle.js';
import { buildErrorResponse } from './error-response.js';

export interface ConnectionInfo {
  connectionId: number;
  listenerName: string;
  /** The listener's security protocol (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL). */
  securityProtocol: string;
  clientHost: string;
  clientPort: number;
  /** Who the client is: from its TLS certificate or SASL authentication, else User:ANONYMOUS. */
  principal: KafkaPrincipal;
}

/**
 * A response to send (a list of buffers; then close, when `thenClose` says why), nothing (acks=0),
 * or a reason to close; `throttleMs`: mute the connection that long once the response is sent
 * (client quotas, KIP-219).
 */
export type DispatchResult =
  | { kind: 'respond'; frame: Buffer[]; thenClose?: string; throttleMs?: number }
  | { kind: 'none'; throttleMs?: number }
  | { kind: 'close'; reason: string };

const API_VERSIONS_KEY = 18;
/**
 * First scratch size of a response writer: most answers (commits, heartbeats, produce acks)
 * are far smaller than the Writer's 1 KiB default, and every response holds its scratch
 * until the socket write, so a small start keeps the allocation rate down; larger ones grow.
 */
const RESPONSE_SCRATCH_BYTES = 256;

/** A size-prefixed response frame: header, then what `write` adds. */
export function encodeResponseFrame(
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  write: (w: Writer) => void,
): Buffer[] {
  const w = new Writer(RESPONSE_SCRATCH_BYTES);
  w.int32(0);
  writeResponseHeader(w, apiKey, apiVersion, correlationId);
  write(w);
  w.patchInt32(0, w.length - 4);
  return w.chunksView();
}

export class Dispatcher {
  private readonly controllerListeners: ReadonlySet<string>;

  constructor(
    private readonly services: BrokerServices,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly handlers: HandlerTables,
  ) {
    this.controllerListeners = new Set(services.config.list('controller.listener.names').map((n) => n.toUpperCase()));
  }

  /**
   * Controller listeners get the controller table (Raft RPCs, the metadata-log replica Fetch, broker
   * registration), broker listeners the broker table, whoever the client says it is: as Kafka's
   * ControllerApis / KafkaApis split, the metadata log is replicated on controller listeners only, and
   * a Fetch of `__cluster_metadata` on a broker listener is a client fetch of a topic that does not
   * exist there (UNKNOWN_TOPIC_OR_PARTITION by name, UNKNOWN_TOPIC_ID by id).
   */
  private handlerFor(apiKey: number, listenerName: string): RegisteredHandler | undefined {
    if (this.controllerListeners.has(listenerName)) return this.handlers.controller.get(apiKey);
    return this.handlers.broker.get(apiKey);
  }

  async dispatch(frame: Buffer, connection: ConnectionInfo): Promise<DispatchResult> {
    const r = new Reader(frame);
    let header;
    try {
      header = readRequestHeader(r);
    } catch (err) {
      return { kind: 'close', reason: `bad request header: ${(err as Error).message}` };
    }
    const { requestApiKey: apiKey, requestApiVersion: apiVersion, correlationId } = header;
    const handler = this.handlerFor(apiKey, connection.listenerName);
    if (!handler) return { kind: 'close', reason: `API key ${apiKey} is not served` };
    if (apiVersion < handler.minVersion || apiVersion > handler.maxVersion) {
      if (apiKey === API_VERSIONS_KEY)
        return { kind: 'respond', frame: this.unsupportedApiVersions(correlationId, connection.listenerName) };
      return { kind: 'close', reason: `${handler.name} v${apiVersion} is not supported` };
    }
    const metrics = this.services.metrics;
    if (metrics === undefined) return this.serve(handler, header, frame, r, connection);
    const started = metrics.requestStarted();
    const result = await this.serve(handler, header, frame, r, connection);
    metrics.requestDone(apiKey, handler.name, apiVersion, started);
    return result;
  }

  /** Forwards the request to the active controller, or runs its handler and encodes the answer. */
  private async serve(
    handler: RegisteredHandler,
    header: ParsedRequestHeader,
    frame: Buffer,
    r: Reader,
    connection: ConnectionInfo,
  ): Promise<DispatchResult> {
    const { requestApiKey: apiKey, requestApiVersion: apiVersion, correlationId } = header;
    const forwarder = this.services.forwarder;
    if (forwarder && !this.controllerListeners.has(connection.listenerName) && forwarder.shouldForward(apiKey)) {
      const answer = await forwarder.forward(frame, connection.clientHost, connection.principal);
      if (answer !== null && !Buffer.isBuffer(answer)) {
        // As Kafka's ForwardingManager: the controller no longer serves the version the client chose, so
        // the client reconnects and asks ApiVersions again; any other envelope error is a misconfiguration.
        if (answer.envelopeError === ErrorCode.UNSUPPORTED_VERSION)
          return { kind: 'close', reason: `the active controller does not serve ${handler.name} v${apiVersion}` };
        return this.answerEnvelopeRefused(handler, header, r);
      }
      // The forwarded header is the client's, so the answer carries its correlation id.
      if (answer && answer.length >= 4 && answer.readInt32BE(0) === correlationId) {
        const size = Buffer.allocUnsafe(4);
        size.writeInt32BE(answer.length, 0);
        // The controller's mutation-quota throttle: the client's connection mutes for it here.
        const throttleMs = forwardedThrottleMs(apiKey, apiVersion, answer);
        return throttleMs > 0
          ? { kind: 'respond', frame: [size, answer], throttleMs }
          : { kind: 'respond', frame: [size, answer] };
      }
    }
    const ctx: RequestContext = {
      apiKey,
      apiVersion,
      correlationId,
      clientId: header.clientId,
      listenerName: connection.listenerName,
      securityProtocol: connection.securityProtocol,
      clientHost: connection.clientHost,
      clientPort: connection.clientPort,
      connectionId: connection.connectionId,
      principal: connection.principal,
      interBroker: this.controllerListeners.has(connection.listenerName),
      controllerListener: this.controllerListeners.has(connection.listenerName),
      requestBytes: frame.length,
      throttleTimeMs: 0,
      clock: this.clock,
      log: this.log,
      broker: this.services,
    };
    let write;
    try {
      write = await handler.serve(ctx, r);
    } catch (err) {
      if (err instanceof HandlerFailure) return this.answerFailure(err, handler, ctx);
      this.log.warn(
        { err, api: handler.name, apiVersion, clientId: header.clientId },
        'request could not be decoded; closing the connection',
      );
      return { kind: 'close', reason: `${handler.name} failed: ${(err as Error).message}` };
    }
    const throttleMs = ctx.throttleTimeMs ?? 0;
    if (write === null) return throttleMs > 0 ? { kind: 'none', throttleMs } : { kind: 'none' };
    if (write instanceof CloseConnection) return { kind: 'close', reason: write.reason };
    try {
      const frameOut = encodeResponseFrame(apiKey, apiVersion, correlationId, write);
      return throttleMs > 0 ? { kind: 'respond', frame: frameOut, throttleMs } : { kind: 'respond', frame: frameOut };
    } catch (err) {
      this.log.error({ err, api: handler.name, apiVersion }, 'response could not be encoded');
      return { kind: 'close', reason: `${handler.name} response failed to encode` };
    }
  }

  /**
   * A handler threw: logged once with the API and client id, and answered with
   * UNKNOWN_SERVER_ERROR in the API's response shape; the connection stays open. Produce
   * with acks=0 expects no answer, so there (as in Kafka) the connection is closed.
   */
  private async answerFailure(
    failure: HandlerFailure,
    handler: RegisteredHandler,
    ctx: RequestContext,
  ): Promise<DispatchResult> {
    const { apiKey, apiVersion, correlationId, clientId } = ctx;
    const apiName = handler.name;
    this.log.error(
      { err: failure.cause, api: apiName, apiVersion, clientId, correlationId, conn: ctx.connectionId },
      `${apiName} handler failed; answering UNKNOWN_SERVER_ERROR`,
    );
    const request = failure.request as { acks?: unknown };
    if (apiKey === 0 && request.acks === 0) return { kind: 'close', reason: `${apiName} failed with acks=0` };
    const answer = await this.unknownServerError(handler, apiVersion, correlationId, failure.request);
    return answer ?? { kind: 'close', reason: `${apiName} failed: ${failure.message}` };
  }

  /**
   * The active controller refused the envelope (a misconfigured broker principal): the client gets
   * UNKNOWN_SERVER_ERROR in the request's shape, as Kafka's ForwardingManager answers.
   */
  private async answerEnvelopeRefused(
    handler: RegisteredHandler,
    header: ParsedRequestHeader,
    body: Reader,
  ): Promise<DispatchResult> {
    const { requestApiVersion: apiVersion, correlationId } = header;
    let request: unknown;
    try {
      request = handler.decodeRequest(body, apiVersion);
    } catch (err) {
      return { kind: 'close', reason: `${handler.name} could not be decoded: ${(err as Error).message}` };
    }
    const answer = await this.unknownServerError(handler, apiVersion, correlationId, request);
    return answer ?? { kind: 'close', reason: `${handler.name}: the active controller refused the envelope` };
  }

  /**
   * The request in `frame` answered without running it: its API's own response shape with
   * `errorCode` everywhere, as Kafka's getErrorResponse (the SASL authenticator's answer to a
   * request sent during authentication). Null when the API or version is not served here, the
   * body does not decode or the answer cannot be built.
   */
  async refuse(
    frame: Buffer,
    connection: ConnectionInfo,
    errorCode: number,
    errorMessage: string,
  ): Promise<Buffer[] | null> {
    try {
      const r = new Reader(frame);
      const { requestApiKey: apiKey, requestApiVersion: apiVersion, correlationId } = readRequestHeader(r);
      const handler = this.handlerFor(apiKey, connection.listenerName);
      if (!handler || apiVersion < handler.minVersion || apiVersion > handler.maxVersion) return null;
      const request = handler.decodeRequest(r, apiVersion);
      const response = await buildErrorResponse(apiKey, apiVersion, request, errorCode, errorMessage);
      if (response === null) return null;
      return encodeResponseFrame(apiKey, apiVersion, correlationId, (w) =>
        handler.encodeResponse(w, apiVersion, response),
      );
    } catch {
      return null;
    }
  }

  /** UNKNOWN_SERVER_ERROR in the request's response shape; null when it cannot be built. */
  private async unknownServerError(
    handler: RegisteredHandler,
    apiVersion: number,
    correlationId: number,
    request: unknown,
  ): Promise<DispatchResult | null> {
    const { apiKey } = handler;
    try {
      const response = await buildErrorResponse(apiKey, apiVersion, request, ErrorCode.UNKNOWN_SERVER_ERROR);
      if (response === null || response === undefined) return null;
      return {
        kind: 'respond',
        frame: encodeResponseFrame(apiKey, apiVersion, correlationId, (w) =>
          handler.encodeResponse(w, apiVersion, response),
        ),
      };
    } catch (err) {
      this.log.error({ err, api: handler.name, apiVersion }, 'error response could not be built');
      return null;
    }
  }

  /** ApiVersions answers an unsupported version in v0, with the versions it does support. */
  private unsupportedApiVersions(correlationId: number, listenerName: string): Buffer[] {
    return encodeFrame((w) => {
      writeResponseHeader(w, API_VERSIONS_KEY, 0, correlationId);
      ApiVersionsApi.encodeResponse(w, 0, {
        errorCode: ErrorCode.UNSUPPORTED_VERSION,
        apiKeys: [...this.services.apiVersions(listenerName)],
        throttleTimeMs: 0,
        supportedFeatures: [],
        finalizedFeaturesEpoch: -1n,
        finalizedFeatures: [],
        zkMigrationReady: false,
      });
    });
  }
}
