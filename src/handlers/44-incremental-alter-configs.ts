/**
 * IncrementalAlterConfigs (key 44), versions 0-1.
 *
 * SET (0), DELETE (1), APPEND (2) and SUBTRACT (3; list configs only, else
 * INVALID_CONFIG) on topic (2) and broker (4) resources, validateOnly. APPEND and
 * SUBTRACT start from the current value, else the config's default. Broker logger
 * resources (8): SET and DELETE of this node's logger levels (admin/broker-loggers.ts).
 * Checks and errors are those of `admin/alter-configs.ts`. Left out: client-metrics
 * and group resources; on a node that is not the active controller the request is
 * forwarded to it, so logger levels change only on the active controller.
 */
import { IncrementalAlterConfigsApi } from '../../protocol/generated/messages/44-incremental-alter-configs.js';
import { defineHandler } from './handler.js';
import { alterConfigs } from '../admin/alter-configs.js';

export const incrementalAlterConfigsHandler = defineHandler({
  api: IncrementalAlterConfigsApi,
  async handle(ctx, request) {
    const outcomes = await alterConfigs(
      ctx.broker,
      request.resources.map((r) => ({
        resourceType: r.resourceType,
        resourceName: r.resourceName,
        ops: r.configs.map((c) => ({ name: c.name, op: c.configOperation, value: c.value })),
      })),
      true,
      request.validateOnly,
      ctx.forwarded === true,
    );
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
