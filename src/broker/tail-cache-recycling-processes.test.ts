/**
 * The leader's tail cache (storage/tail-cache.ts) reuses the memory of dropped appends once every
 * view read from it has come back from the socket that sent it. Reuse starts only once a broker's
 * 8 MiB cache has filled, which the smaller loads of replica-copies-processes.test.ts never reach:
 * here kcat (librdkafka) writes 96 MB of distinct 1 KiB messages with acks=all, 1 MB batches and five
 * requests in flight to a one-partition topic on three real processes, so the leader's cache cycles
 * about twelve times while its two followers fetch from it. A cached append written into a buffer that
 * is still in the cache or still being sent would show up as a follower log that differs from the
 * leader's (or a follower refusing a batch whose CRC fails). Checked: every replica's log is
 * byte-for-byte the leader's, and the ISR is still three. (The followers read near the log end, far
 * from the appends being dropped, so the rule that a buffer waits for its views to come back is
 * proven by storage/tail-cache.test.ts, which holds a view out on purpose.)
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { ClusterNode } from '../../test/helpers/process-cluster.js';
import { startReplicatedTopic } from '../../test/helpers/replicated-topic.js';

const TOPIC = 'recycled-tail';
const MESSAGES = 96_000;

t.setTimeout(240_000);

/** The partition's .log segments on a node, concatenated in base-offset order. */
function logBytes(node: ClusterNode): Buffer {
  const dir = join(node.dir, `${TOPIC}-0`);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .sort();
  return Buffer.concat(files.map((f) => readFileSync(join(dir, f))));
}

const digest = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** MESSAGES lines of 1 KiB, each different (its number and that number's hash up front). */
async function writeLines(path: string): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < MESSAGES; i++) {
    const head = `${i}:${createHash('md5').update(String(i)).digest('hex')}:`;
    if (!out.write(`${head}${'y'.repeat(1023 - head.length)}\n`))
      await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
}

function kcatProduce(bootstrap: string, file: string): Promise<string> {
  const args = ['-P', '-b', bootstrap, '-t', TOPIC, '-p', '0', '-X', 'acks=all', '-X', 'linger.ms=20'];
  args.push(
    '-X',
    'batch.size=1000000',
    '-X',
    'batch.num.messages=10000',
    '-X',
    'max.in.flight.requests.per.connection=5',
  );
  args.push('-X', 'queue.buffering.max.kbytes=1048576', '-l', file);
  return new Promise((resolve, reject) => {
    execFile('kcat', args, { timeout: 120_000 }, (err, _stdout, stderr) =>
      err ? reject(new Error(`kcat: ${err.message} ${String(stderr)}`)) : resolve(String(stderr)),
    );
  });
}

t.test("follower logs stay the leader's while its tail cache reuses memory", async (t) => {
  t.setTimeout(200_000);
  const { cluster, brokers, fullIsr } = await startReplicatedTopic(t, {
    settings: { 'auto.leader.rebalance.enable': 'false', 'log.segment.bytes': String(256 << 20) },
    clientId: 'tail-cache-recycling',
    topic: TOPIC,
    partitions: 1,
  });
  const partition = (await cluster.waitFor('an ISR of three', 60_000, () => fullIsr(brokers[0]!)))[0]!;
  const leader = brokers.find((n) => n.id === partition.leaderId)!;
  const file = join(t.testdir(), 'lines.txt');
  await writeLines(file);

  const stderr = await kcatProduce(`127.0.0.1:${leader.port}`, file);
  t.notMatch(stderr, /fail|error/i, 'kcat had every message acknowledged (acks=all)');

  const leaderLog = logBytes(leader);
  t.ok(leaderLog.length > 64 << 20, `the leader wrote far more than its 8 MiB cache holds (${leaderLog.length} bytes)`);
  const followers = brokers.filter((n) => n.id !== leader.id);
  await cluster.waitFor('the followers hold the leader bytes', 60_000, async () =>
    followers.every((f) => logBytes(f).length >= leaderLog.length),
  );
  for (const f of followers)
    t.equal(digest(logBytes(f)), digest(leaderLog), `node ${f.id}'s log is the leader's, byte for byte`);
  const after = await cluster.waitFor('the ISR still three', 30_000, () => fullIsr(brokers[0]!));
  t.equal(after[0]!.isrNodes.length, 3, 'the ISR is still three');
});
