/**
 * DescribeClientQuotas (key 48), versions 0-1.
 *
 * Describes the client quotas stored in the metadata image (set with AlterClientQuotas) that
 * match the filter: per entity type EXACT (a name), DEFAULT (the default entity) or SPECIFIED
 * (the type is present); `strict` also requires the entity to have no other type. A bad filter
 * (empty or repeated entity type, a match string where none belongs or none where one does, ip
 * with user or client-id) answers INVALID_REQUEST with the message and no entries; an unknown
 * entity or match type answers UNSUPPORTED_VERSION, as Kafka does.
 * Entries, their parts and their values come in Kafka's HashMap order (src/metadata/client-quotas.ts).
 */
import { DescribeClientQuotasApi } from '../../protocol/generated/messages/48-describe-client-quotas.js';
import { describeClientQuotas } from '../metadata/client-quotas.js';
import { defineHandler } from './handler.js';

export const describeClientQuotasHandler = defineHandler({
  api: DescribeClientQuotasApi,
  handle(ctx, request) {
    const found = describeClientQuotas(ctx.broker.controller.image.clientQuotas, request.components, request.strict);
    if ('errorCode' in found)
      return { throttleTimeMs: 0, errorCode: found.errorCode, errorMessage: found.errorMessage, entries: null };
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      entries: found.map((e) => ({
        entity: e.entity.map((p) => ({ entityType: p.entityType, entityName: p.entityName })),
        values: [...e.quotas].map(([key, value]) => ({ key, value })),
      })),
    };
  },
});
