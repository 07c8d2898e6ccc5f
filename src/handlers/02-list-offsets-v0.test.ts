/**
 * ListOffsets v0 as old clients send it (a raw v0 request; kafka-python with api_version (0, 9)):
 * Kafka's legacy list of offsets before a time, from the segments' base offsets and their log
 * files' modification times (set here with utimes), plus the log end; -2 the log start; timestamps
 * below -2 UNSUPPORTED_VERSION; a negative maxNumOffsets UNKNOWN_SERVER_ERROR.
 */
import { mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ListOffsetsApi } from '../../protocol/generated/messages/02-list-offsets.js';
import { brokerFor } from '../../test/helpers/broker.js';
import { batchOf, produce } from '../../test/helpers/data-path.js';
import { DEBIAN_PYTHON, hasPythonModule, run } from '../../test/helpers/external.js';
import { rawClient, type RawClient } from '../../test/helpers/raw-client.js';
import { createTopic } from '../../test/helpers/topics.js';

async function v0(
  c: RawClient,
  timestamp: bigint,
  maxNumOffsets: number,
): Promise<{ errorCode: number; offsets: bigint[] }> {
  const response = await c.call(ListOffsetsApi, 0, {
    replicaId: -1,
    isolationLevel: 0,
    timeoutMs: 0,
    topics: [{ name: 'legacy', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp, maxNumOffsets }] }],
  });
  const p = response.topics[0]!.partitions[0]!;
  return { errorCode: p.errorCode, offsets: p.oldStyleOffsets };
}

const PYTHON = `
import sys
from kafka import KafkaConsumer, TopicPartition
tp = TopicPartition('legacy', 0)
c = KafkaConsumer(bootstrap_servers=sys.argv[1], api_version=(0, 9), enable_auto_commit=False)
c.assign([tp])
c.seek_to_end(tp)
end = c.position(tp)
c.seek_to_beginning(tp)
print(end, c.position(tp))
c.close()
`;

t.test('ListOffsets v0: the segments last modified before the time, as Kafka', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gregor-v0-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const running = await brokerFor(t, { dataDir });
  createTopic(running, 'legacy', { configs: { 'segment.bytes': '100' } });
  const c = await rawClient(running.port);
  t.teardown(() => c.close());
  for (let i = 0; i < 3; i++) await produce(c, 9, 'legacy', 0, batchOf([`a${i}`, `b${i}`]));
  const folder = join(dataDir, 'legacy-0');
  const logs = readdirSync(folder)
    .filter((f) => f.endsWith('.log'))
    .sort();
  t.same(
    logs,
    ['00000000000000000000.log', '00000000000000000002.log', '00000000000000000004.log'],
    'one segment per batch',
  );
  // Segment i last modified at T + i * 1000 s.
  const T = 1_600_000_000;
  logs.forEach((f, i) => utimesSync(join(folder, f), T + i * 1000, T + i * 1000));
  const ms = (seconds: number): bigint => BigInt(seconds) * 1000n;

  t.same(await v0(c, -1n, 10), { errorCode: 0, offsets: [6n, 4n, 2n, 0n] }, 'latest: the log end, then every base');
  t.same(await v0(c, -1n, 1), { errorCode: 0, offsets: [6n] }, 'latest, one offset: the log end');
  t.same(await v0(c, -2n, 10), { errorCode: 0, offsets: [0n] }, 'earliest: the log start alone');
  t.same(await v0(c, ms(T + 1500), 10), { errorCode: 0, offsets: [2n, 0n] }, 'two segments before the time');
  t.same(await v0(c, ms(T + 1000), 1), { errorCode: 0, offsets: [2n] }, 'a segment modified at the time counts');
  t.same(await v0(c, ms(T) - 1n, 10), { errorCode: 0, offsets: [] }, 'before every segment: no offset');
  t.same(
    await v0(c, BigInt(Date.now() + 3_600_000), 10),
    { errorCode: 0, offsets: [6n, 4n, 2n, 0n] },
    'a time after now: the log end too',
  );
  t.equal((await v0(c, -3n, 1)).errorCode, 35, 'max timestamp (-3) is UNSUPPORTED_VERSION at v0');
  t.equal((await v0(c, -1n, -1)).errorCode, -1, 'a negative maxNumOffsets: UNKNOWN_SERVER_ERROR, as Kafka fails');

  if (hasPythonModule('kafka')) {
    const result = await run(DEBIAN_PYTHON, ['-c', PYTHON, `127.0.0.1:${running.port}`], { timeoutMs: 60_000 });
    t.equal(result.code, 0, result.stderr);
    t.equal(result.stdout.trim(), '6 0', "kafka-python's 0.9 consumer: end 6 and beginning 0 through ListOffsets v0");
  }
});
