/**
 * ApiVersions (key 18), versions 0-4.
 *
 * Answers with the API keys and version ranges of the handler table, so nothing is
 * advertised that is not implemented; on a controller listener, those of the controller
 * table (Raft RPCs, Envelope, registration, ...). An unsupported request version gets
 * UNSUPPORTED_VERSION in the v0 layout with the supported ranges (the dispatcher does
 * that, as Kafka does). Advertises the metadata.version feature as finalized, and
 * transaction.version at level 2 (KIP-890 part 2, as a Kafka 4.0 cluster formatted with its
 * defaults): Kafka 4 clients then send Produce v12 without AddPartitionsToTxn, TxnOffsetCommit v5
 * without AddOffsetsToTxn and EndTxn v5, and take the bumped epoch EndTxn returns.
 * Left out: client software name/version validation.
 */
import { ApiVersionsApi } from '../../protocol/generated/messages/18-api-versions.js';
import { defineHandler } from './handler.js';

/** The metadata.version level of Kafka 3.9 (3.9-IV0). */
const METADATA_VERSION_LEVEL = 21;
/** transaction.version: 2 is KIP-890 part 2 (epoch bump per transaction, partitions added by brokers). */
export const TRANSACTION_VERSION_LEVEL = 2;

export const apiVersionsHandler = defineHandler({
  api: ApiVersionsApi,
  handle(ctx) {
    const flexible = ctx.apiVersion >= 3;
    return {
      errorCode: 0,
      apiKeys: [...ctx.broker.apiVersions(ctx.listenerName)],
      throttleTimeMs: 0,
      supportedFeatures: flexible
        ? [
            { name: 'metadata.version', minVersion: 1, maxVersion: METADATA_VERSION_LEVEL },
            { name: 'transaction.version', minVersion: 0, maxVersion: TRANSACTION_VERSION_LEVEL },
          ]
        : [],
      finalizedFeaturesEpoch: flexible ? 0n : -1n,
      finalizedFeatures: flexible
        ? [
            {
              name: 'metadata.version',
              maxVersionLevel: METADATA_VERSION_LEVEL,
              minVersionLevel: METADATA_VERSION_LEVEL,
            },
            {
              name: 'transaction.version',
              maxVersionLevel: TRANSACTION_VERSION_LEVEL,
              minVersionLevel: TRANSACTION_VERSION_LEVEL,
            },
          ]
        : [],
      zkMigrationReady: false,
    };
  },
});
