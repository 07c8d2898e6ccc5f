/**
 * The metadata log (`__cluster_metadata`, SCRAM keys and ACLs included) is replicated on controller
 * listeners only, as Kafka's ControllerApis: a Fetch of it on a broker listener is a client fetch of a
 * topic that does not exist there (UNKNOWN_TOPIC_OR_PARTITION by name, UNKNOWN_TOPIC_ID by id), even
 * when its client id and replica id say it is another controller's Raft client. The same request on
 * the controller listener is served records, so the request itself is right.
 */
import t, { type Test } from 'tap';
import { startBroker, type RunningBroker } from '../index.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { FetchApi, type FetchRequest, type FetchResponse } from '../../protocol/generated/messages/01-fetch.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { fetchRequestToWire } from '../controller/raft-wire.js';

function metadataFetch(version: number, leaderEpoch: number): FetchRequest {
  const request = fetchRequestToWire({
    type: 'Fetch',
    clusterId: null,
    replicaId: 2,
    maxWaitMs: 0,
    maxBytes: 1 << 20,
    currentLeaderEpoch: leaderEpoch,
    fetchOffset: 0,
    lastFetchedEpoch: 0,
    logStartOffset: -1,
  });
  // Before v15 the replica id is a top-level field.
  return version < 15 ? { ...request, replicaId: 2, replicaState: { replicaId: -1, replicaEpoch: -1n } } : request;
}

async function fetchOn(t: Test, running: RunningBroker, listener: string, version: number): Promise<FetchResponse> {
  const c = await rawClient(running.broker.bound.find((l) => l.name === listener)!.port, 'raft-client-2');
  t.teardown(() => c.close());
  return c.call(FetchApi, version, metadataFetch(version, running.broker.quorum.node.describe().leaderEpoch));
}

function recordBytes(response: FetchResponse): number {
  const records = response.responses[0]?.partitions[0]?.records;
  return records === null || records === undefined ? 0 : records.length;
}

async function singleNode(t: Test): Promise<RunningBroker> {
  const running = await startBroker({
    config: {
      listeners: 'PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0',
      // Secrets in the metadata log: the salted keys of a SCRAM user.
      'bootstrap.scram.credentials': 'SCRAM-SHA-256=[name=alice,password=alice-secret]',
    },
  });
  t.teardown(() => running.stop());
  return running;
}

t.test('a broker listener does not serve the metadata log, whatever the client id', async (t) => {
  const running = await singleNode(t);
  const controller = await fetchOn(t, running, 'CONTROLLER', 16);
  t.equal(controller.errorCode, ErrorCode.NONE, 'the controller listener serves the Raft fetch');
  t.equal(controller.responses[0]?.partitions[0]?.errorCode, ErrorCode.NONE);
  t.ok(recordBytes(controller) > 0, `it returns the metadata log (${recordBytes(controller)} bytes)`);

  const byId = await fetchOn(t, running, 'PLAINTEXT', 16);
  t.equal(byId.errorCode, ErrorCode.NONE, 'v16 on the broker listener: no top-level error');
  t.equal(
    byId.responses[0]?.partitions[0]?.errorCode,
    ErrorCode.UNKNOWN_TOPIC_ID,
    'by topic id (v13+) the metadata topic is unknown on the broker listener',
  );
  t.equal(recordBytes(byId), 0, 'and no record is returned');

  const byName = await fetchOn(t, running, 'PLAINTEXT', 12);
  t.equal(
    byName.responses[0]?.partitions[0]?.errorCode,
    ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    'by name (v12) __cluster_metadata is an unknown topic on the broker listener',
  );
  t.equal(recordBytes(byName), 0, 'and no record is returned');
});
