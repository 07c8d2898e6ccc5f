/**
 * AlterConfigs and IncrementalAlterConfigs on a broker whose controller is not the active one, as
 * Kafka's KafkaApis does with ConfigAdminManager.preprocess: the broker answers itself what is its
 * own (logger levels of this node, broker resources naming another node, malformed resources) and
 * forwards only the rest to the active controller in an Envelope carrying the client's principal;
 * the two answers are put back together in the request's order. With no reachable controller in time
 * (or when this node has just become it) the rest is run here (NOT_CONTROLLER unless it leads).
 * An envelope the controller refused gives the forwarded resources UNKNOWN_SERVER_ERROR, as Kafka's
 * ForwardingManager; UNSUPPORTED_VERSION closes the connection so the client asks ApiVersions again.
 */
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { RequestContext } from '../server/request-context.js';
import { CloseConnection } from '../server/handler-contract.js';
import type { ForwardedFrom } from '../controller/forwarding.js';
import type { ApiDefinition } from '../../protocol/generated/api-definition.js';
import { alterConfigs, preprocessAlterConfigs, type AlterOutcome, type AlterResource } from './alter-configs.js';

/** Forwards the resources at `indexes`; their outcomes in that order, the envelope's error, or null (answer here). */
export type ForwardPart = (
  indexes: readonly number[],
  from: ForwardedFrom,
) => Promise<{ outcomes: AlterOutcome[] } | { envelopeError: number } | null>;

export async function alterConfigsHere(
  ctx: RequestContext,
  resources: AlterResource[],
  incremental: boolean,
  validateOnly: boolean,
  forwardPart: ForwardPart,
): Promise<AlterOutcome[] | CloseConnection> {
  const { broker } = ctx;
  const forwarder = broker.forwarder;
  if (ctx.forwarded === true || !forwarder?.forwarding())
    return alterConfigs(broker, resources, incremental, validateOnly, ctx.forwarded === true);
  const outcomes = preprocessAlterConfigs(broker, resources, incremental, validateOnly);
  const rest = outcomes.flatMap((o, i) => (o === undefined ? [i] : []));
  if (rest.length === 0) return outcomes as AlterOutcome[];
  const from = { clientId: ctx.clientId ?? null, clientHost: ctx.clientHost, principal: ctx.principal };
  const answer = await forwardPart(rest, from);
  let restOutcomes: AlterOutcome[];
  if (answer === null) {
    restOutcomes = await alterConfigs(
      broker,
      rest.map((i) => resources[i] as AlterResource),
      incremental,
      validateOnly,
    );
  } else if ('envelopeError' in answer) {
    if (answer.envelopeError === ErrorCode.UNSUPPORTED_VERSION)
      return new CloseConnection('the active controller does not serve this version of the request');
    restOutcomes = rest.map(() => ({ errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: null }));
  } else {
    restOutcomes = answer.outcomes;
  }
  rest.forEach((index, k) => {
    outcomes[index] = restOutcomes[k] ?? { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: null };
  });
  return outcomes as AlterOutcome[];
}

/** The ForwardPart of an (Incremental)AlterConfigs request: the same request with only the chosen resources. */
export function forwardPartOf<
  Req extends { resources: readonly unknown[] },
  Res extends { responses: ReadonlyArray<{ errorCode: number; errorMessage: string | null }> },
>(ctx: RequestContext, api: ApiDefinition<Req, Res>, request: Req): ForwardPart {
  return async (indexes, from) => {
    const forwarder = ctx.broker.forwarder;
    if (!forwarder) return null;
    const part = { ...request, resources: indexes.map((i) => request.resources[i]) };
    const answer = await forwarder.sendAs(api, ctx.apiVersion, part, from);
    if (answer === null) return null;
    if ('envelopeError' in answer) return { envelopeError: answer.envelopeError };
    return {
      outcomes: answer.response.responses.map((r) => ({ errorCode: r.errorCode, errorMessage: r.errorMessage })),
    };
  };
}
