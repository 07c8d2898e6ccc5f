/**
 * segmentio/kafka-go 0.2.1 (Debian's golang-github-segmentio-kafka-go-dev): Conn (CreateTopics,
 * ReadPartitions, WriteMessages, offsets, Seek, ReadBatch, DeleteTopics), Writer with every codec
 * it has over 3 partitions read back by partition Readers, and Readers with a GroupID (two members,
 * commits, a later member resuming). The checks are Go code in kafkago-check/.
 */
import t from 'tap';
import { brokerFor } from '../../test/helpers/broker.js';
import { buildGoChecks, goSkip, requireGo, runChecks } from './go-checks.js';

t.setTimeout(300_000);

t.test('kafka-go Conn, Writer and Reader', { skip: goSkip() }, async (t) => {
  if (!requireGo(t)) return;
  const binaries = await buildGoChecks(t);
  if (!binaries) return;
  const { bootstrap } = await brokerFor(t);
  await runChecks(t, binaries['kafkago-check'], ['conn', bootstrap, 'kg-conn'], 10);
  await runChecks(t, binaries['kafkago-check'], ['writer', bootstrap, 'kg-writer'], 4);
  await runChecks(t, binaries['kafkago-check'], ['group', bootstrap, 'kg-group'], 4);
});
