/**
 * ListPartitionReassignments (key 46), versions 0-0.
 *
 * Reassignments complete as soon as they are accepted (see AlterPartitionReassignments),
 * so none is ever in progress: the answer lists no topics, for all topics or named ones.
 */
import { ListPartitionReassignmentsApi } from '../../protocol/generated/messages/46-list-partition-reassignments.js';
import { defineHandler } from './handler.js';

export const listPartitionReassignmentsHandler = defineHandler({
  api: ListPartitionReassignmentsApi,
  handle() {
    return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, topics: [] };
  },
});
