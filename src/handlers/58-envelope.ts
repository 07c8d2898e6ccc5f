/**
 * Envelope (key 58), version 0, on the controller listener: a broker forwards a client's
 * metadata-changing request (see controller/forwarding.ts) to the active controller. The envelope
 * carries the request header + body as the client sent them, the client's principal (Kafka's
 * DefaultPrincipalData, int16 version first) and its IP address bytes; the controller runs the inner
 * request through the broker table's handler and answers with the response header + body.
 *
 * Envelope errors, as Kafka's controller answers: NOT_CONTROLLER when this node is not the active
 * controller (the broker waits for the new leader and resends), INVALID_REQUEST for an inner
 * request that does not parse or is not forwardable, UNSUPPORTED_VERSION for an inner version not
 * served, PRINCIPAL_DESERIALIZATION_FAILURE for a principal that does not decode, and
 * UNKNOWN_SERVER_ERROR when the inner handler fails.
 * With an authorizer, the forwarding broker's principal (the connection's: User:ANONYMOUS on a
 * PLAINTEXT controller listener, the broker's login on a SASL one) needs CLUSTER_ACTION on the
 * cluster, checked first as Kafka's ControllerApis does (server/controller-api-rules.ts, before this
 * handler runs), else CLUSTER_AUTHORIZATION_FAILED.
 * The inner request is authorized as the forwarded principal (from the client's address) by the
 * broker rules; one without a principal is the broker's own and runs unchecked (its sender passed
 * CLUSTER_ACTION; Kafka's brokers send those directly, as themselves, who must be super users).
 * Leaves out: byte-rate quotas of forwarded requests (their broker throttles its client); the
 * controller mutation quota does count them (handlers/throttling.ts).
 */
import { EnvelopeApi, type EnvelopeResponse } from '../../protocol/generated/messages/58-envelope.js';
import { decodeDefaultPrincipalData } from '../../protocol/generated/data/DefaultPrincipalData.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { readRequestHeader, writeResponseHeader } from '../../protocol/frame.js';
import { ProtocolDecodeError, Reader, Writer } from '../../protocol/primitives/index.js';
import { FORWARDED_API_KEYS } from '../controller/forwarding.js';
import type { RequestContext } from '../server/request-context.js';
import type { KafkaPrincipal } from '../server/principal.js';
import { CloseConnection, defineHandler } from './handler.js';
import { HANDLER_BY_KEY } from './table.js';

const refused = (errorCode: number): EnvelopeResponse => ({ responseData: null, errorCode });

/** The forwarded principal; null for none (a broker's own request); undefined when it does not decode. */
function decodePrincipal(bytes: Buffer | null): KafkaPrincipal | null | undefined {
  if (bytes === null) return null;
  try {
    const r = new Reader(bytes);
    const version = r.int16();
    if (version !== 0) return undefined;
    const data = decodeDefaultPrincipalData(r, 0);
    return { type: data.type, name: data.name };
  } catch {
    return undefined;
  }
}

function hostOf(address: Buffer, fallback: string): string {
  if (address.length === 4) return [...address].join('.');
  if (address.length === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(address.readUInt16BE(i).toString(16));
    return groups.join(':');
  }
  return fallback;
}

export const envelopeHandler = defineHandler({
  api: EnvelopeApi,
  async handle(ctx, request) {
    if (!ctx.broker.controller.isActive()) return refused(ErrorCode.NOT_CONTROLLER);
    const r = new Reader(request.requestData);
    let header;
    try {
      header = readRequestHeader(r);
    } catch {
      return refused(ErrorCode.INVALID_REQUEST);
    }
    const { requestApiKey: apiKey, requestApiVersion: apiVersion, correlationId } = header;
    const handler = FORWARDED_API_KEYS.has(apiKey) ? HANDLER_BY_KEY.get(apiKey) : undefined;
    if (!handler) return refused(ErrorCode.INVALID_REQUEST);
    if (apiVersion < handler.minVersion || apiVersion > handler.maxVersion)
      return refused(ErrorCode.UNSUPPORTED_VERSION);
    const principal = decodePrincipal(request.requestPrincipal);
    if (principal === undefined) return refused(ErrorCode.PRINCIPAL_DESERIALIZATION_FAILURE);
    const inner: RequestContext = {
      ...ctx,
      // The client's request is authorized as the client, by the broker rules; a broker's own runs unchecked.
      principal: principal ?? ctx.principal,
      interBroker: principal === null,
      trusted: principal === null,
      controllerListener: false,
      forwarded: true,
      throttleTimeMs: 0,
      apiKey,
      apiVersion,
      correlationId,
      clientId: header.clientId,
      clientHost: hostOf(request.clientHostAddress, ctx.clientHost),
    };
    let write;
    try {
      write = await handler.serve(inner, r);
    } catch (err) {
      ctx.log.warn({ err, api: handler.name, apiVersion }, 'forwarded request failed');
      return refused(err instanceof ProtocolDecodeError ? ErrorCode.INVALID_REQUEST : ErrorCode.UNKNOWN_SERVER_ERROR);
    }
    if (write === null || write instanceof CloseConnection) return refused(ErrorCode.INVALID_REQUEST);
    const w = new Writer();
    writeResponseHeader(w, apiKey, apiVersion, correlationId);
    write(w);
    return { responseData: w.toBuffer(), errorCode: ErrorCode.NONE };
  },
});
