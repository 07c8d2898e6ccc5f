/**
 * The one list of handlers. ApiVersions, version checks and dispatch all come from
 * here: an API is advertised exactly when it has a handler below.
 */
import type { RegisteredHandler } from './handler.js';
import { apiVersionsHandler } from './18-api-versions.js';
import { metadataHandler } from './03-metadata.js';
import { produceHandler } from './00-produce.js';
import { fetchHandler } from './01-fetch.js';
import { listOffsetsHandler } from './02-list-offsets.js';
import { deleteRecordsHandler } from './21-delete-records.js';
import { offsetForLeaderEpochHandler } from './23-offset-for-leader-epoch.js';

export const HANDLERS: readonly RegisteredHandler[] = [
  produceHandler,
  fetchHandler,
  listOffsetsHandler,
  metadataHandler,
  apiVersionsHandler,
  deleteRecordsHandler,
  offsetForLeaderEpochHandler,
];

export const HANDLER_BY_KEY: ReadonlyMap<number, RegisteredHandler> = new Map(HANDLERS.map((h) => [h.apiKey, h]));
