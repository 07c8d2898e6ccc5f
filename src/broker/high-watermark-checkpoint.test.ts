import t from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker } from '../index.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { createTopic } from '../../test/helpers/topics.js';
import { batchOf, produce } from '../../test/helpers/data-path.js';
import { HIGH_WATERMARK_CHECKPOINT } from '../../storage/checkpoint.js';

t.test('the high watermark the broker serves is the one storage checkpoints', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gregor-hw-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const running = await startBroker({ dataDir });
  createTopic(running, 'hw', { partitions: 2 });
  const c = await rawClient(running.port);
  t.equal((await produce(c, 9, 'hw', 0, batchOf(['a', 'b', 'c']))).errorCode, 0);
  t.equal((await produce(c, 9, 'hw', 1, batchOf(['d']))).errorCode, 0);
  c.close();
  t.equal(running.broker.services.replicas.get('hw', 0)!.highWatermark, 3);
  await running.stop();
  const lines = readFileSync(join(dataDir, HIGH_WATERMARK_CHECKPOINT), 'utf8').trim().split('\n');
  t.equal(lines[0], '0', 'checkpoint format version 0');
  t.ok(lines.includes('hw 0 3'), 'hw-0 checkpointed at 3');
  t.ok(lines.includes('hw 1 1'), 'hw-1 checkpointed at 1');
});
