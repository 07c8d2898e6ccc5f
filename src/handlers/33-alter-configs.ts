/**
 * AlterConfigs (key 33), versions 0-2.
 *
 * The legacy form: the given configs replace the resource's whole set (configs left
 * out are deleted). Topic (2) and broker (4) resources, validateOnly; the checks and
 * errors are those of `admin/alter-configs.ts` (INVALID_CONFIG for bad topic configs,
 * INVALID_REQUEST for read-only or bad broker configs, UNKNOWN_TOPIC_OR_PARTITION).
 * On a node that is not the active controller, broker resources naming another node are
 * answered here and the rest is forwarded (admin/alter-configs-forwarding.ts).
 */
import { AlterConfigsApi } from '../../protocol/generated/messages/33-alter-configs.js';
import { CloseConnection, defineHandler } from './handler.js';
import { alterConfigsHere, forwardPartOf } from '../admin/alter-configs-forwarding.js';
import { AlterConfigOp } from '../metadata/controller.js';

export const alterConfigsHandler = defineHandler({
  api: AlterConfigsApi,
  async handle(ctx, request) {
    const outcomes = await alterConfigsHere(
      ctx,
      request.resources.map((r) => ({
        resourceType: r.resourceType,
        resourceName: r.resourceName,
        ops: r.configs.map((c) => ({ name: c.name, op: AlterConfigOp.SET, value: c.value })),
      })),
      false,
      request.validateOnly,
      forwardPartOf(ctx, AlterConfigsApi, request),
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
