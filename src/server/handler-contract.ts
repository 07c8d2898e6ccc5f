/**
 * What the dispatcher knows of a handler: a handler with its types erased behind a closure,
 * the two outcomes besides a response (close the connection, the handler failed), and the
 * tables it looks handlers up in. The handlers (src/handlers/handler.ts, defineHandler) make
 * these; the composition root (src/node/) hands the tables to the dispatcher, so the server
 * never imports a handler.
 */
import type { Reader, Writer } from '../../protocol/primitives/index.js';
import type { RequestContext } from './request-context.js';

/**
 * Returned by a handler that must send no response and close the connection instead
 * (Produce with acks=0 after an error: closing is the only way Kafka can tell the client).
 */
export class CloseConnection {
  constructor(readonly reason: string) {}
}

/**
 * Thrown by `serve` when the handler itself failed (not the decoding): carries the decoded
 * request, so the dispatcher can answer it with UNKNOWN_SERVER_ERROR in the API's shape.
 */
export class HandlerFailure extends Error {
  override readonly name = 'HandlerFailure';
  constructor(
    override readonly cause: unknown,
    readonly request: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/** A handler with its types erased behind a closure, as the dispatcher sees it. */
export interface RegisteredHandler {
  apiKey: number;
  name: string;
  minVersion: number;
  maxVersion: number;
  /** Decodes a request body (to build an error answer for a request the handler never saw). */
  decodeRequest(body: Reader, version: number): unknown;
  /** Encodes a response built outside the handler (the UNKNOWN_SERVER_ERROR answer to a HandlerFailure). */
  encodeResponse(w: Writer, version: number, response: unknown): void;
  /** Decodes the body, runs the handler, and returns the response writer (null: no response); a handler's exception becomes a HandlerFailure. */
  serve(ctx: RequestContext, body: Reader): Promise<((w: Writer) => void) | null | CloseConnection>;
}

/** The handlers a dispatcher serves, by API key. */
export interface HandlerTables {
  /** Broker listeners. */
  broker: ReadonlyMap<number, RegisteredHandler>;
  /** Controller listeners (Raft RPCs, the metadata-log replica Fetch, broker registration). */
  controller: ReadonlyMap<number, RegisteredHandler>;
}
