/**
 * ApiVersions (key 18), versions 0-4.
 *
 * Answers with the API keys and version ranges of the handler table, so nothing is
 * advertised that is not implemented; on a controller listener, those of the controller
 * table (Raft RPCs, Envelope, registration, ...). An unsupported request version gets
 * UNSUPPORTED_VERSION in the v0 layout with the supported ranges (the dispatcher does
 * that, as Kafka does). Advertises the metadata.version feature as finalized.
 * Left out: client software name/version validation.
 */
import { ApiVersionsApi } from '../../protocol/generated/messages/18-api-versions.js';
import { defineHandler } from './handler.js';

/** The metadata.version level of Kafka 3.9 (3.9-IV0). */
const METADATA_VERSION_LEVEL = 21;

export const apiVersionsHandler = defineHandler({
  api: ApiVersionsApi,
  handle(ctx) {
    const flexible = ctx.apiVersion >= 3;
    return {
      errorCode: 0,
      apiKeys: [...ctx.broker.apiVersions(ctx.listenerName)],
      throttleTimeMs: 0,
      supportedFeatures: flexible
        ? [{ name: 'metadata.version', minVersion: 1, maxVersion: METADATA_VERSION_LEVEL }]
        : [],
      finalizedFeaturesEpoch: flexible ? 0n : -1n,
      finalizedFeatures: flexible
        ? [
            {
              name: 'metadata.version',
              maxVersionLevel: METADATA_VERSION_LEVEL,
              minVersionLevel: METADATA_VERSION_LEVEL,
            },
          ]
        : [],
      zkMigrationReady: false,
    };
  },
});
