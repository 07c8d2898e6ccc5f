/**
 * The handler contract. Each API has one file in src/handlers exporting a handler made
 * with `defineHandler`; `table.ts` lists them. The generated codecs decode the request
 * and encode the response, so a handler only maps a typed request to a typed response.
 */
import type { ApiDefinition } from '../../protocol/generated/api-definition.js';
import type { RequestContext } from '../server/request-context.js';
import { CloseConnection, HandlerFailure, type RegisteredHandler } from '../server/handler-contract.js';

export { CloseConnection, HandlerFailure, type RegisteredHandler } from '../server/handler-contract.js';
import { buildErrorResponse } from '../server/error-response.js';
import { API_RULES } from '../server/api-rules.js';
import { CONTROLLER_API_RULES } from '../server/controller-api-rules.js';
import { RequestAuthz } from '../server/request-authz.js';
import { noteRequestTime } from './throttling.js';

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
  /**
   * An answer to the whole request as sent, given before the handler runs and before entries the
   * authorizer refused are answered one by one (after a whole-request refusal), or null to go on:
   * Kafka's controller failing the request as one, which its getErrorResponse answers in every entry,
   * refused ones included (a timeout_ms whose deadline passes before the controller's event runs, a
   * disabled feature). `allowed` is the request cut down to the entries the principal may touch.
   */
  answerWhole?(ctx: RequestContext, request: Req, allowed: Req): Res | null;
}

export function defineHandler<Req, Res>(handler: Handler<Req, Res>): RegisteredHandler {
  const { api } = handler;
  return {
    apiKey: api.apiKey,
    name: api.name,
    minVersion: handler.minVersion ?? api.minVersion,
    // A newest version Kafka marks unstable is generated but never advertised.
    maxVersion: handler.maxVersion ?? (api.latestVersionUnstable ? api.maxVersion - 1 : api.maxVersion),
    decodeRequest(body, version) {
      return api.decodeRequest(body, version);
    },
    encodeResponse(w, version, response) {
      api.encodeResponse(w, version, response as Res);
    },
    async serve(ctx, body) {
      const started = performance.now();
      const request = api.decodeRequest(body, ctx.apiVersion);
      let response: Res | NoResponse | CloseConnection;
      try {
        const pending = authorizedHandle(handler, ctx, request);
        // The request quota counts the event-loop time up to the handler's first wait (Kafka
        // counts the request thread's time; waits in a purgatory are not the client's load).
        const busyMs = performance.now() - started;
        response = await pending;
        if (!(api.apiKey === 0 && (request as { acks?: unknown }).acks === 0)) noteRequestTime(ctx, busyMs);
      } catch (err) {
        throw new HandlerFailure(err, request);
      }
      if (response === NO_RESPONSE) return null;
      if (response instanceof CloseConnection) return response;
      const throttleMs = ctx.throttleTimeMs ?? 0;
      const fields = response as { throttleTimeMs?: unknown };
      if (throttleMs > 0 && typeof fields.throttleTimeMs === 'number' && fields.throttleTimeMs < throttleMs)
        fields.throttleTimeMs = throttleMs;
      return (w) => api.encodeResponse(w, ctx.apiVersion, response);
    },
  };
}

/**
 * Runs the handler behind the API's authorization rule (server/api-rules.ts; on controller
 * listeners server/controller-api-rules.ts): a refused
 * request is answered with the error code everywhere; refused entries are answered beside the
 * handler's answer for the rest. Produce with acks=0 has no answer to carry a refusal, so the
 * connection is closed, as Kafka does.
 */
async function authorizedHandle<Req, Res>(
  handler: Handler<Req, Res>,
  ctx: RequestContext,
  request: Req,
): Promise<Res | NoResponse | CloseConnection> {
  const rule = (ctx.controllerListener === true ? CONTROLLER_API_RULES : API_RULES).get(handler.api.apiKey);
  const authz = new RequestAuthz(ctx);
  if (rule === undefined || !authz.enforcing)
    return handler.answerWhole?.(ctx, request, request) ?? handler.handle(ctx, request);
  const plan = rule(authz, request, ctx.apiVersion);
  const acksZero = handler.api.apiKey === 0 && (request as { acks?: unknown }).acks === 0;
  if (plan.kind === 'deny') {
    if (acksZero) return new CloseConnection('produce with acks=0 refused by the authorizer');
    const refused = await buildErrorResponse(handler.api.apiKey, ctx.apiVersion, request, plan.errorCode, null);
    if (refused === null) throw new Error(`no error response shape for API ${handler.api.apiKey}`);
    return refused as Res;
  }
  if (plan.denied.length > 0 && acksZero) return new CloseConnection('produce with acks=0 refused by the authorizer');
  const whole = handler.answerWhole?.(ctx, request, plan.request as Req) ?? null;
  if (whole !== null) return whole;
  let response: Res | NoResponse | CloseConnection;
  if (plan.othersGet !== null && plan.denied.length > 0) {
    const shell = await buildErrorResponse(handler.api.apiKey, ctx.apiVersion, { ...request }, 0, null);
    if (shell === null) throw new Error(`no error response shape for API ${handler.api.apiKey}`);
    (shell as Record<string, unknown>)[plan.responseField] = [];
    response = shell as Res;
  } else {
    response = await handler.handle(ctx, plan.request as Req);
  }
  if (response === NO_RESPONSE || response instanceof CloseConnection) return response;
  const fields = response as Record<string, unknown>;
  for (const part of plan.denied) {
    const answered = await buildErrorResponse(
      handler.api.apiKey,
      ctx.apiVersion,
      part.request,
      part.errorCode,
      part.errorMessage ?? null,
    );
    const entries = answered?.[plan.responseField];
    const existing = fields[plan.responseField];
    if (Array.isArray(entries) && Array.isArray(existing)) fields[plan.responseField] = [...existing, ...entries];
  }
  plan.filterResponse?.(response);
  return response;
}
