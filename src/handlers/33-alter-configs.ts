/**
 * AlterConfigs (key 33), versions 0-2.
 *
 * The legacy form: the given configs replace the resource's whole set (configs left
 * out are deleted). Topic (2) and broker (4) resources, validateOnly; the checks and
 * errors are those of `admin/alter-configs.ts` (INVALID_CONFIG for bad topic configs,
 * INVALID_REQUEST for read-only or bad broker configs, UNKNOWN_TOPIC_OR_PARTITION).
 */
import { AlterConfigsApi } from '../../protocol/generated/messages/33-alter-configs.js';
import { defineHandler } from './handler.js';
import { alterConfigs } from '../admin/alter-configs.js';
import { AlterConfigOp } from '../metadata/controller.js';

export const alterConfigsHandler = defineHandler({
  api: AlterConfigsApi,
  async handle(ctx, request) {
    const outcomes = await alterConfigs(
      ctx.broker,
      request.resources.map((r) => ({
        resourceType: r.resourceType,
        resourceName: r.resourceName,
        ops: r.configs.map((c) => ({ name: c.name, op: AlterConfigOp.SET, value: c.value })),
      })),
      false,
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
