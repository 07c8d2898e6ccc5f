/**
 * The authorization step every request passes between decoding and its handler
 * (handlers/handler.ts calls `planRequest`). A rule per API (api-rules.ts) says what Kafka's
 * KafkaApis checks; the plan is one of:
 * - deny: the whole request is refused with one error code, answered in the API's own shape
 *   with that code everywhere (server/error-response.ts), as Kafka's getErrorResponse does;
 * - serve: the handler runs on the entries the principal may touch; the entries it may not
 *   are answered with their error code and appended to the handler's answer (or, for
 *   all-or-nothing APIs, nothing is served and the allowed entries get `othersGet`); a
 *   response filter may then drop what the principal may not see (listings).
 */
import type { RequestAuthz } from './request-authz.js';

export interface DeniedPart {
  /** The request cut down to the refused entries. */
  request: unknown;
  errorCode: number;
  /** The message Kafka gives a refused entry (null: none). */
  errorMessage?: string | null;
}

export type RequestPlan =
  | { kind: 'deny'; errorCode: number }
  | {
      kind: 'serve';
      request: unknown;
      denied: DeniedPart[];
      /** The response array the refused entries' answers are appended to. */
      responseField: string;
      /** All-or-nothing APIs: when something is refused, the allowed entries are answered with this code, unserved. */
      othersGet: number | null;
      filterResponse: ((response: unknown) => void) | null;
    };

export type ApiRule = (a: RequestAuthz, request: unknown, version: number) => RequestPlan;

export const SERVE_AS_IS = (request: unknown): RequestPlan => ({
  kind: 'serve',
  request,
  denied: [],
  responseField: '',
  othersGet: null,
  filterResponse: null,
});

/**
 * Splits `request[field]` by `refusal` (an error code, or null when allowed): the plan serves
 * the allowed entries and answers the refused ones, grouped by code, in `responseField`.
 */
export function splitEntries<E>(
  request: unknown,
  field: string,
  responseField: string,
  refusal: (entry: E) => number | null,
  othersGet: number | null = null,
  refusedMessage: string | null = null,
): RequestPlan {
  const req = request as Record<string, unknown>;
  const entries = (req[field] ?? []) as E[];
  const allowed: E[] = [];
  const refusedByCode = new Map<number, E[]>();
  for (const entry of entries) {
    const code = refusal(entry);
    if (code === null) allowed.push(entry);
    else {
      const list = refusedByCode.get(code);
      if (list) list.push(entry);
      else refusedByCode.set(code, [entry]);
    }
  }
  if (refusedByCode.size === 0) return SERVE_AS_IS(request);
  const denied: DeniedPart[] = [...refusedByCode].map(([errorCode, list]) => ({
    request: { ...req, [field]: list },
    errorCode,
    errorMessage: refusedMessage,
  }));
  if (othersGet !== null && allowed.length > 0)
    denied.push({ request: { ...req, [field]: allowed }, errorCode: othersGet });
  return {
    kind: 'serve',
    request: { ...req, [field]: allowed },
    denied,
    responseField,
    othersGet,
    filterResponse: null,
  };
}

/** Keeps the entries of `response[field]` that `keep` accepts. */
export function filterField<E>(field: string, keep: (entry: E) => boolean): (response: unknown) => void {
  return (response) => {
    const res = response as Record<string, unknown>;
    const list = res[field];
    if (Array.isArray(list)) res[field] = (list as E[]).filter(keep);
  };
}
