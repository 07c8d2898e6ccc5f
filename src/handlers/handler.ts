/**
 * The handler contract. Each API has one file in src/handlers exporting a handler made
 * with `defineHandler`; `table.ts` lists them. The generated codecs decode the request
 * and encode the response, so a handler only maps a typed request to a typed response.
 */
import type { ApiDefinition } from '../../protocol/generated/api-definition.js';
import type { RequestContext } from '../server/request-context.js';
import { CloseConnection, HandlerFailure, type RegisteredHandler } from '../server/handler-contract.js';

export { CloseConnection, HandlerFailure, type RegisteredHandler } from '../server/handler-contract.js';

/** Returned by a handler that must send no response at all (Produce with acks=0). */
export const NO_RESPONSE: unique symbol = Symbol('no response');
export type NoResponse = typeof NO_RESPONSE;

export interface Handler<Req, Res> {
  api: ApiDefinition<Req, Res>;
  /** Versions served; default to the API's range without a version Kafka marks unstable. */
  minVersion?: number;
  maxVersion?: number;
  handle(
    ctx: RequestContext,
    request: Req,
  ): Res | NoResponse | CloseConnection | Promise<Res | NoResponse | CloseConnection>;
}

export function defineHandler<Req, Res>(handler: Handler<Req, Res>): RegisteredHandler {
  const { api } = handler;
  return {
    apiKey: api.apiKey,
    name: api.name,
    minVersion: handler.minVersion ?? api.minVersion,
    // A newest version Kafka marks unstable is generated but never advertised.
    maxVersion: handler.maxVersion ?? (api.latestVersionUnstable ? api.maxVersion - 1 : api.maxVersion),
    encodeResponse(w, version, response) {
      api.encodeResponse(w, version, response as Res);
    },
    async serve(ctx, body) {
      const request = api.decodeRequest(body, ctx.apiVersion);
      let response: Res | NoResponse | CloseConnection;
      try {
        response = await handler.handle(ctx, request);
      } catch (err) {
        throw new HandlerFailure(err, request);
      }
      if (response === NO_RESPONSE) return null;
      if (response instanceof CloseConnection) return response;
      return (w) => api.encodeResponse(w, ctx.apiVersion, response);
    },
  };
}
