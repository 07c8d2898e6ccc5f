/**
 * sarama 1.22 across message formats: record batches written by 2.2.0 (each codec) read with
 * Fetch v0 (magic 0) and v3 (magic 1), from the start and from inside a compressed batch; magic 0
 * message sets written with Produce v0 read with Fetch v4 and v0. Then fetch limits (KIP-74 from
 * Fetch v3), LogAppendTime (the Produce v2+ answer carries the append time, consumers of both
 * formats read it; CreateTime answers -1) and a compression.type=zstd topic, which Kafka refuses to
 * every Fetch below v10. The checks are Go code in sarama-check/convert.go and limits.go.
 */
import t from 'tap';
import { brokerFor } from '../../test/helpers/broker.js';
import { buildGoChecks, goSkip, requireGo, runChecks } from './go-checks.js';

t.setTimeout(300_000);

t.test('sarama across message formats, fetch limits and timestamps', { skip: goSkip() }, async (t) => {
  if (!requireGo(t)) return;
  const binaries = await buildGoChecks(t);
  if (!binaries) return;
  const { bootstrap } = await brokerFor(t);
  await runChecks(t, binaries['sarama-check'], ['convert', bootstrap], 20);
  await runChecks(t, binaries['sarama-check'], ['limits', bootstrap], 11);
});
