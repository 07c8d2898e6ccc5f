/**
 * A catch-up fetch load written to be cheaper than the broker it measures (issue 20), the Fetch
 * counterpart of bench/broker/loadgen.ts:
 *
 *   node --import tsx bench/broker/fetchgen.ts --bootstrap 127.0.0.1:9092 --topic t [--partition 0]
 *        [--from 0] [--to <offset>] [--max-bytes 52428800] [--partition-max-bytes 1048576]
 *        [--max-wait-ms 500] [--version 12] [--connections 1] [--timeout-ms 120000]
 *
 * Metadata gives the partition's leader (and the topic id, for Fetch v13+), ListOffsets its end when
 * --to is not given. Then each of `--connections` connections reads its share of [from, to) with one
 * Fetch in flight, as a consumer does (bench/broker/fetch-stream.ts: answers read into one reused buffer,
 * walked only through the batch headers, the data dropped). The default byte limits are librdkafka's and
 * the Java client's (fetch.max.bytes 50 MiB, max.partition.fetch.bytes 1 MiB); larger ones can be asked.
 *
 * Prints one JSON line: {"seconds", "records", "bytes", "fetches", "cpuUser", "cpuSystem"}, seconds from
 * the first request to the last answer, records the offsets advanced, bytes the record batches received.
 * Leaves out: what fetch-stream.ts leaves out; several partitions.
 */
import { parseArgs } from 'node:util';
import { ListOffsetsApi } from '../../protocol/generated/messages/02-list-offsets.js';
import { PipelinedClient } from '../groups/pipelined-client.js';
import { fetchRange, type FetchStreamResult } from './fetch-stream.js';
import { topicLeaders } from './loadgen-wire.js';

const { values: args } = parseArgs({
  options: {
    bootstrap: { type: 'string' },
    topic: { type: 'string' },
    partition: { type: 'string', default: '0' },
    from: { type: 'string', default: '0' },
    to: { type: 'string' },
    'max-bytes': { type: 'string', default: '52428800' },
    'partition-max-bytes': { type: 'string', default: '1048576' },
    'max-wait-ms': { type: 'string', default: '500' },
    version: { type: 'string', default: '12' },
    connections: { type: 'string', default: '1' },
    'timeout-ms': { type: 'string', default: '120000' },
  },
});
if (!args.bootstrap || !args.topic) throw new Error('--bootstrap host:port and --topic are required');
const TOPIC = args.topic;
const PARTITION = Number(args.partition);
const CONNECTIONS = Number(args.connections);
const LIST_OFFSETS_VERSION = 7;

/** The partition's log end offset (ListOffsets, timestamp -1). */
async function endOffset(host: string, port: number): Promise<number> {
  const client = await PipelinedClient.connect(port, host);
  try {
    const response = await client.call(ListOffsetsApi, LIST_OFFSETS_VERSION, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [
        {
          name: TOPIC,
          partitions: [{ partitionIndex: PARTITION, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 1 }],
        },
      ],
      timeoutMs: 30_000,
    });
    const p = response.topics[0]?.partitions[0];
    if (!p || p.errorCode !== 0)
      throw new Error(`ListOffsets ${TOPIC}-${PARTITION}: error ${p?.errorCode ?? 'missing'}`);
    return Number(p.offset);
  } finally {
    client.close();
  }
}

async function main(): Promise<void> {
  const [host, port] = args.bootstrap!.split(':') as [string, string];
  const { topicId, leaders } = await topicLeaders(host, Number(port), TOPIC);
  const leader = leaders.find((l) => l.partitions.includes(PARTITION));
  if (!leader) throw new Error(`${TOPIC}-${PARTITION}: no leader`);
  const from = Number(args.from);
  const to = args.to !== undefined ? Number(args.to) : await endOffset(leader.host, leader.port);
  const deadline = setTimeout(() => {
    console.error(`fetchgen: not done within ${args['timeout-ms']} ms`);
    process.exit(1);
  }, Number(args['timeout-ms']));
  const share = Math.ceil((to - from) / CONNECTIONS);
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const results: FetchStreamResult[] = await Promise.all(
    Array.from({ length: CONNECTIONS }, (_, c) =>
      fetchRange({
        host: leader.host,
        port: leader.port,
        topic: TOPIC,
        topicId,
        partition: PARTITION,
        from: from + c * share,
        to: Math.min(to, from + (c + 1) * share),
        maxBytes: Number(args['max-bytes']),
        partitionMaxBytes: Number(args['partition-max-bytes']),
        maxWaitMs: Number(args['max-wait-ms']),
        minBytes: 1,
        version: Number(args.version),
      }),
    ),
  );
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  clearTimeout(deadline);
  const sum = (pick: (r: FetchStreamResult) => number): number => results.reduce((n, r) => n + pick(r), 0);
  console.log(
    JSON.stringify({
      seconds,
      records: sum((r) => r.records),
      bytes: sum((r) => r.bytes),
      fetches: sum((r) => r.fetches),
      cpuUser: cpu.user / 1e6,
      cpuSystem: cpu.system / 1e6,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
