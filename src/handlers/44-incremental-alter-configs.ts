/**
 * IncrementalAlterConfigs (key 44), versions 0-1.
 *
 * SET (0), DELETE (1), APPEND (2) and SUBTRACT (3; list configs only, else
 * INVALID_CONFIG) on topic (2) and broker (4) resources, validateOnly. APPEND and
 * SUBTRACT start from the current value, else the config's default. Broker logger
 * resources (8): SET and DELETE of this node's logger levels (admin/broker-loggers.ts).
 * Checks and errors are those of `admin/alter-configs.ts`. Left out: client-metrics
 * and group resources. On a node that is not the active controller, logger levels and
 * broker resources naming another node are answered here and the rest is forwarded to the
 * active controller (admin/alter-configs-forwarding.ts), as Kafka's broker does.
 */
import { IncrementalAlterConfigsApi } from '../../protocol/generated/messages/44-incremental-alter-configs.js';
import { CloseConnection, defineHandler } from './handler.js';
import { alterConfigsHere, forwardPartOf } from '../admin/alter-configs-forwarding.js';

export const incrementalAlterConfigsHandler = defineHandler({
  api: IncrementalAlterConfigsApi,
  async handle(ctx, request) {
    const outcomes = await alterConfigsHere(
      ctx,
      request.resources.map((r) => ({
        resourceType: r.resourceType,
        resourceName: r.resourceName,
        ops: r.configs.map((c) => ({ name: c.name, op: c.configOperation, value: c.value })),
      })),
      true,
      request.validateOnly,
      forwardPartOf(ctx, IncrementalAlterConfigsApi, request),
    );
    if (outcomes instanceof CloseConnection) return outcomes;
    return {
      throttleTimeMs: 0,
      responses: request.resources.map((r, i) => ({
        ...outcomes[i]!,
        resourceType: r.resourceType,
        resourceName: r.resourceName,
      })),
    };
  },
});
