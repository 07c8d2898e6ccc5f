/**
 * What each per-request step of replication costs once V8 has optimized it (issue 14, session 22):
 *   npx tsx bench/broker/replica-fetch-steps.ts
 * Microseconds per call, after a warm-up, for the steps named as candidates for the RF 3 path: the
 * follower's FollowerFetchSession.build + handleResponse (incremental, one partition, as a fetch
 * loop of the benchmark runs), the Fetch v17 request's encode (follower) and decode (leader), and the
 * Fetch response's encode (leader, 1 MB of records as a view) and decode (follower). Each figure is
 * multiplied by the calls per MB produced in the three-node benchmark (2 follower fetches, 2 answers
 * per MB at 1 MB batches) to give CPU-ms per MB for the three processes. Bounded loops, no I/O.
 */
import { Reader, Writer } from '../../protocol/primitives/index.js';
import {
  FetchApi,
  defaultFetchRequest,
  defaultFetchRequestFetchPartition,
  defaultFetchResponse,
  defaultFetchResponsePartitionData,
  type FetchRequest,
  type FetchResponse,
} from '../../protocol/generated/messages/01-fetch.js';
import { FollowerFetchSession, type SessionPartition } from '../../src/broker/follower-fetch-session.js';

const VERSION = 17;
const CALLS_PER_MB = 2;
const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';

function usPerCall(fn: (i: number) => unknown, minMs = 500): number {
  for (let i = 0; i < 20_000; i++) fn(i);
  let calls = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < minMs && calls < 50_000_000) {
    for (let i = 0; i < 1000; i++) fn(calls + i);
    calls += 1000;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return (elapsed * 1000) / calls;
}

function wanted(offset: number): SessionPartition {
  return {
    topic: 'r1',
    topicId: TOPIC_ID,
    partition: 0,
    fetchOffset: offset,
    logStartOffset: 0,
    currentLeaderEpoch: 1,
    lastFetchedEpoch: 1,
    partitionMaxBytes: 1 << 20,
  };
}

function response(records: Buffer): FetchResponse {
  return {
    ...defaultFetchResponse(),
    sessionId: 7,
    responses: [
      {
        topic: '',
        topicId: TOPIC_ID,
        partitions: [
          {
            ...defaultFetchResponsePartitionData(),
            partitionIndex: 0,
            highWatermark: 1000n,
            lastStableOffset: 1000n,
            logStartOffset: 0n,
            records,
          },
        ],
      },
    ],
  };
}

function request(offset: number): FetchRequest {
  return {
    ...defaultFetchRequest(),
    replicaState: { replicaId: 2, replicaEpoch: 5n },
    maxWaitMs: 500,
    minBytes: 1,
    maxBytes: 10 << 20,
    sessionId: 7,
    sessionEpoch: 3,
    topics: [
      {
        topic: '',
        topicId: TOPIC_ID,
        partitions: [
          {
            ...defaultFetchRequestFetchPartition(),
            partition: 0,
            currentLeaderEpoch: 1,
            fetchOffset: BigInt(offset),
            lastFetchedEpoch: 1,
            logStartOffset: 0n,
            partitionMaxBytes: 1 << 20,
          },
        ],
      },
    ],
  };
}

const session = new FollowerFetchSession();
session.build([wanted(0)]);
session.handleResponse(response(Buffer.alloc(0)));
const answer = response(Buffer.alloc(0));
const records = Buffer.alloc(1_000_000, 1);
const encodedRequest = (() => {
  const w = new Writer();
  FetchApi.encodeRequest(w, VERSION, request(1));
  return w.toBuffer();
})();
const encodedResponse = (() => {
  const w = new Writer();
  FetchApi.encodeResponse(w, VERSION, response(records));
  return w.toBuffer();
})();

const steps: Array<[string, (i: number) => unknown]> = [
  [
    'FollowerFetchSession.build + handleResponse',
    (i) => {
      session.build([wanted(i)]);
      return session.handleResponse(answer);
    },
  ],
  [
    'Fetch request: build the object + encode (follower)',
    (i) => {
      const w = new Writer();
      FetchApi.encodeRequest(w, VERSION, request(i));
      return w.chunksView();
    },
  ],
  ['Fetch request: decode (leader)', () => FetchApi.decodeRequest(new Reader(encodedRequest), VERSION)],
  [
    'Fetch response, 1 MB of records: build + encode (leader)',
    () => {
      const w = new Writer();
      FetchApi.encodeResponse(w, VERSION, response(records));
      return w.chunksView();
    },
  ],
  [
    'Fetch response, 1 MB of records: decode (follower)',
    () => FetchApi.decodeResponse(new Reader(encodedResponse), VERSION),
  ],
];

let total = 0;
for (const [label, fn] of steps) {
  const us = usPerCall(fn);
  total += us;
  console.log(
    `${label}: ${us.toFixed(2)} µs per call, ${((us * CALLS_PER_MB) / 1000).toFixed(4)} CPU-ms per MB produced`,
  );
}
console.log(
  `all: ${total.toFixed(2)} µs per fetch round, ${((total * CALLS_PER_MB) / 1000).toFixed(4)} CPU-ms per MB produced`,
);
