/**
 * sarama 1.22 (Debian's golang-github-shopify-sarama-dev) produces and consumes against one broker
 * with config.Version 0.8.2.0, 0.10.2.0, 1.0.0, 2.0.0 and 2.2.0 (the newest it knows): so Produce
 * v0/v2/v3, Fetch v0/v3/v4, message formats 0, 1 and 2. SyncProducer and AsyncProducer with keys,
 * headers (from 0.11) and timestamps (from 0.10), every codec the version allows, acks 0/1/all, the
 * idempotent producer, partition consumers from oldest and newest. Format conversion:
 * sarama-formats.test.ts. The checks are Go code in sarama-check/ (see compat-tests/go/README.md).
 */
import t from 'tap';
import { brokerFor } from '../../test/helpers/broker.js';
import { buildGoChecks, goSkip, requireGo, runChecks } from './go-checks.js';

t.setTimeout(300_000);

/** How many checks `produce` reports for each version (codecs and features it allows). */
const PRODUCE_CHECKS: Record<string, number> = { '0.8.2.0': 8, '0.10.2.0': 10, '1.0.0': 11, '2.0.0': 11, '2.2.0': 12 };

t.test('sarama producers and consumers, by protocol version', { skip: goSkip() }, async (t) => {
  if (!requireGo(t)) return;
  const binaries = await buildGoChecks(t);
  if (!binaries) return;
  const { bootstrap } = await brokerFor(t);
  for (const [version, checks] of Object.entries(PRODUCE_CHECKS)) {
    await runChecks(t, binaries['sarama-check'], ['produce', bootstrap, version], checks);
  }
});
