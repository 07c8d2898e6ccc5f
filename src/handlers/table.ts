/**
 * The one list of handlers. ApiVersions, version checks and dispatch all come from
 * here: an API is advertised exactly when it has a handler below.
 */
import type { RegisteredHandler } from './handler.js';
import { apiVersionsHandler } from './18-api-versions.js';
import { metadataHandler } from './03-metadata.js';
import { describeQuorumHandler } from './55-describe-quorum.js';

export const HANDLERS: readonly RegisteredHandler[] = [
  metadataHandler,
  apiVersionsHandler,
  describeQuorumHandler,
];

export const HANDLER_BY_KEY: ReadonlyMap<number, RegisteredHandler> = new Map(HANDLERS.map((h) => [h.apiKey, h]));
