/**
 * A produce load generator written to be cheaper than the broker it measures (issue 20: "a load
 * generator of the project's own written for speed (pre-built batches, many in flight)").
 *
 *   node --import tsx bench/broker/loadgen.ts --bootstrap 127.0.0.1:9092 --topic t --mb 128 \
 *        [--record-bytes 1024] [--batch-bytes 1000000] [--request-bytes 1048576] [--in-flight 5] [--acks 1]
 *        [--connections 1]
 *
 * It asks Metadata for the topic's partitions and their leaders, then builds, once, Produce v9 requests
 * for each leader holding one uncompressed batch of `--batch-bytes` worth of `--record-bytes` records
 * for each partition that broker leads, as many partitions per request as fit in `--request-bytes` (at
 * least one): with the defaults one 1 MB batch per request, as librdkafka 2.0 (kcat) sends one
 * ProduceRequest per partition, and the Java client's max.request.size is 1 MB. The requests go round
 * the partitions in turn. The batch's CRC is computed once; the broker checks it on every request, as
 * it must, and assigns the offsets (the base offset in a produced batch is ignored). The run then
 * writes copies of those frames, `--in-flight` unanswered at a time on each connection, until
 * `--mb` MB of record values are acknowledged, and checks every partition's error code: any error
 * fails the run. Per request its work is a 4-byte patch of the correlation id, one socket write and
 * the decoding of a ~100-byte answer, so its CPU per GB is a small fraction of kcat's (librdkafka
 * copies and frames every message).
 *
 * Prints one JSON line: {"seconds", "messages", "bytes", "requests", "cpuUser", "cpuSystem"}, seconds
 * from the first write to the last answer. Leaves out: compression, keys and headers, idempotence,
 * retries (an error or a lost connection ends the run with exit 1), leaders that move during the run.
 */
import { parseArgs } from 'node:util';
import {
  CORRELATION_OFFSET,
  onFrames,
  open,
  prebuiltBatch,
  produceAnswerError,
  produceFrame,
  recordsPerBatch,
  topicLeaders,
  type Leader,
} from './loadgen-wire.js';

const { values: args } = parseArgs({
  options: {
    bootstrap: { type: 'string' },
    topic: { type: 'string' },
    mb: { type: 'string', default: '128' },
    'record-bytes': { type: 'string', default: '1024' },
    'batch-bytes': { type: 'string', default: '1000000' },
    'request-bytes': { type: 'string', default: '1048576' },
    'in-flight': { type: 'string', default: '5' },
    connections: { type: 'string', default: '1' },
    acks: { type: 'string', default: '1' },
    'timeout-ms': { type: 'string', default: '120000' },
  },
});
if (!args.bootstrap || !args.topic) throw new Error('--bootstrap host:port and --topic are required');
const TOPIC = args.topic;
const RECORD_BYTES = Number(args['record-bytes']);
const RECORDS_PER_BATCH = recordsPerBatch(Number(args['batch-bytes']), RECORD_BYTES);
const IN_FLIGHT = Number(args['in-flight']);
const REQUEST_BYTES = Number(args['request-bytes']);
const CONNECTIONS = Number(args.connections);
const ACKS = Number(args.acks);
const TARGET_BYTES = Number(args.mb) * 1e6;

const batch = prebuiltBatch(RECORDS_PER_BATCH, RECORD_BYTES);

/** A leader's partitions in groups whose batches fit in one request of --request-bytes (one at least). */
function requestGroups(partitions: number[]): number[][] {
  const perRequest = Math.max(1, Math.floor(REQUEST_BYTES / batch.length));
  const groups: number[][] = [];
  for (let i = 0; i < partitions.length; i += perRequest) groups.push(partitions.slice(i, i + perRequest));
  return groups;
}

/**
 * Runs one connection to a leader until `rounds` batches went to each of its partitions, answered; rejects
 * on any error.
 */
async function drive(leader: Leader, rounds: number): Promise<void> {
  if (rounds === 0) return;
  const socket = await open(leader.host, leader.port);
  const groups = requestGroups(leader.partitions);
  const requests = rounds * groups.length;
  // Request n goes out as copy (n / groups) % IN_FLIGHT of template n % groups: a frame handed to
  // socket.write must not change until written, and that copy is used again only IN_FLIGHT answers later.
  const copies = groups.map((g) => {
    const template = produceFrame(TOPIC, g, batch, ACKS);
    return Array.from({ length: IN_FLIGHT }, () => Buffer.from(template));
  });
  let sent = 0;
  let answered = 0;
  await new Promise<void>((resolve, reject) => {
    const send = (): void => {
      const frame = copies[sent % groups.length]![Math.floor(sent / groups.length) % IN_FLIGHT]!;
      frame.writeInt32BE(sent, CORRELATION_OFFSET);
      sent++;
      socket.write(frame);
    };
    socket.once('error', reject);
    socket.once('close', () => {
      if (answered < requests) reject(new Error(`connection to ${leader.host}:${leader.port} closed`));
    });
    onFrames(socket, (answer) => {
      const error = produceAnswerError(answer, answered);
      if (error !== null) {
        reject(new Error(error));
        return;
      }
      answered++;
      if (answered === requests) {
        socket.end();
        resolve();
      } else if (sent < requests) {
        send();
      }
    });
    while (sent < Math.min(IN_FLIGHT, requests)) send();
  });
}

async function main(): Promise<void> {
  const [host, port] = args.bootstrap!.split(':') as [string, string];
  const { leaders } = await topicLeaders(host, Number(port), TOPIC);
  const partitionCount = leaders.reduce((n, l) => n + l.partitions.length, 0);
  const bytesPerRound = partitionCount * RECORDS_PER_BATCH * RECORD_BYTES;
  const rounds = Math.max(1, Math.ceil(TARGET_BYTES / bytesPerRound));
  const deadline = setTimeout(() => {
    console.error(`loadgen: not done within ${args['timeout-ms']} ms`);
    process.exit(1);
  }, Number(args['timeout-ms']));
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  // Each leader's partitions get `rounds` batches each, the rounds spread over its connections.
  await Promise.all(
    leaders.flatMap((leader) =>
      Array.from({ length: CONNECTIONS }, (_, c) =>
        drive(leader, Math.floor(rounds / CONNECTIONS) + (c < rounds % CONNECTIONS ? 1 : 0)),
      ),
    ),
  );
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  clearTimeout(deadline);
  const messages = rounds * partitionCount * RECORDS_PER_BATCH;
  console.log(
    JSON.stringify({
      seconds,
      messages,
      bytes: messages * RECORD_BYTES,
      requests: leaders.reduce((n, l) => n + rounds * requestGroups(l.partitions).length, 0),
      cpuUser: cpu.user / 1e6,
      cpuSystem: cpu.system / 1e6,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
