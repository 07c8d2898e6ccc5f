/**
 * sarama 1.22's ConsumerGroup (JoinGroup v0-v3 with the version, SyncGroup, Heartbeat, LeaveGroup,
 * OffsetCommit/OffsetFetch) with two members and a rebalance for config.Version 0.10.2.0, 1.0.0,
 * 2.0.0 and 2.2.0, with ListConsumerGroups and DescribeConsumerGroups while both are in; and the
 * OffsetManager's commits read back for every version from 0.8.2.0 (OffsetCommit v0-v3). The checks
 * are Go code in sarama-check/group.go.
 */
import t from 'tap';
import { brokerFor } from '../../test/helpers/broker.js';
import { buildGoChecks, goSkip, requireGo, runChecks } from './go-checks.js';

t.setTimeout(300_000);

t.test('sarama consumer groups and offset managers', { skip: goSkip() }, async (t) => {
  if (!requireGo(t)) return;
  const binaries = await buildGoChecks(t);
  if (!binaries) return;
  const { bootstrap } = await brokerFor(t);
  for (const version of ['0.10.2.0', '1.0.0', '2.0.0', '2.2.0']) {
    await runChecks(t, binaries['sarama-check'], ['group', bootstrap, version], 8);
  }
  for (const version of ['0.8.2.0', '0.9.0.0', '0.10.2.0', '1.0.0', '2.0.0', '2.2.0']) {
    await runChecks(t, binaries['sarama-check'], ['offsets', bootstrap, version], 4);
  }
});
