/**
 * AlterClientQuotas (key 49), versions 0-1.
 *
 * Sets and removes client quotas of user, client-id and ip entities; the changes are
 * ClientQuotaRecords in the metadata log (committed through the active controller; a broker
 * that is not it forwards the request). Each entry is checked as Kafka's controller checks
 * it (src/metadata/client-quotas.ts): INVALID_REQUEST for an empty entity, a repeated or
 * empty entity type, an ip combined with user or client-id, an invalid IP, an unknown key, a
 * value not above 0 or a fractional one for an integral key; UNSUPPORTED_VERSION for an
 * unknown entity type. validateOnly checks without writing. NOT_CONTROLLER when no active
 * controller takes the change.
 * producer_byte_rate, consumer_byte_rate, request_percentage and controller_mutation_rate are
 * enforced (src/server/quotas/, handlers/throttling.ts), so is the ip entities'
 * connection_creation_rate (src/server/connection-rate.ts).
 * The answer is in Kafka's order: its entries as a HashMap of entity to result iterates them, each
 * entity's parts as the request's HashMap of type to name does (src/common/java-hash.ts).
 */
import {
  AlterClientQuotasApi,
  type AlterClientQuotasResponseEntryData,
} from '../../protocol/generated/messages/49-alter-client-quotas.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { javaHashMapCapacity, javaHashMapOrder } from '../common/java-hash.js';
import { alterClientQuota, entityHashCode, orderEntityParts } from '../metadata/client-quotas.js';
import type { MetadataRecord } from '../metadata/records.js';
import { defineHandler } from './handler.js';

const NOT_CONTROLLER_MESSAGE = 'This is not the correct controller for this cluster.';

export const alterClientQuotasHandler = defineHandler({
  api: AlterClientQuotasApi,
  async handle(ctx, request) {
    const controller = ctx.broker.controller;
    const entries: AlterClientQuotasResponseEntryData[] = [];
    const records: MetadataRecord[] = [];
    const accepted: AlterClientQuotasResponseEntryData[] = [];
    for (const entry of request.entries) {
      const entity = orderEntityParts(
        entry.entity.map((e) => ({ entityType: e.entityType, entityName: e.entityName })),
        entry.entity.length,
      );
      const result: AlterClientQuotasResponseEntryData = { errorCode: 0, errorMessage: null, entity };
      entries.push(result);
      if (!controller.isActive()) {
        result.errorCode = ErrorCode.NOT_CONTROLLER;
        result.errorMessage = NOT_CONTROLLER_MESSAGE;
        continue;
      }
      const outcome = alterClientQuota(controller.image.clientQuotas, entity, entry.ops);
      if ('errorCode' in outcome) {
        result.errorCode = outcome.errorCode;
        result.errorMessage = outcome.errorMessage;
        continue;
      }
      for (const data of outcome.records) records.push({ type: 'ClientQuotaRecord', data });
      accepted.push(result);
    }
    if (!request.validateOnly && records.length > 0) {
      const committed = await controller.commitAndWait(records);
      if (committed !== 0) {
        for (const result of accepted) {
          result.errorCode = committed;
          result.errorMessage = NOT_CONTROLLER_MESSAGE;
        }
      }
    }
    const capacity = javaHashMapCapacity(entries.length);
    return { throttleTimeMs: 0, entries: javaHashMapOrder(entries, (e) => entityHashCode(e.entity), capacity) };
  },
});
