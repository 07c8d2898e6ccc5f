import t from 'tap';
import { DEFAULT_LOG_CONFIG, NEVER, logConfigFromProperties } from './config.js';
import { LogConfigError } from './errors.js';

t.test('Kafka property names map onto the log config with Kafka defaults', async (t) => {
  t.equal(DEFAULT_LOG_CONFIG.flushMessages, NEVER, 'no fsync per write by default');
  t.equal(DEFAULT_LOG_CONFIG.indexIntervalBytes, 4096);
  const config = logConfigFromProperties({
    'segment.bytes': '1048576',
    'retention.ms': '-1',
    'cleanup.policy': 'compact,delete',
    'flush.messages': '9223372036854775807',
    'message.timestamp.type': 'LogAppendTime',
    'unknown.name': 'x',
  });
  t.equal(config.segmentBytes, 1048576);
  t.equal(config.retentionMs, -1);
  t.ok(config.cleanupPolicyCompact && config.cleanupPolicyDelete);
  t.equal(config.flushMessages, NEVER, 'Long.MAX_VALUE becomes "never"');
  t.equal(config.messageTimestampType, 'LogAppendTime');
  t.throws(() => logConfigFromProperties({ 'segment.bytes': 'big' }), LogConfigError);
  t.throws(() => logConfigFromProperties({ 'cleanup.policy': 'shred' }), LogConfigError);
  const neither = logConfigFromProperties({ 'cleanup.policy': ' ' });
  t.notOk(
    neither.cleanupPolicyDelete || neither.cleanupPolicyCompact,
    'an empty cleanup.policy: neither delete nor compact',
  );
  t.throws(() => logConfigFromProperties({ 'cleanup.policy': 'delete,' }), LogConfigError, 'an empty entry is refused');
  t.throws(() => logConfigFromProperties({ 'retention.ms': '-5' }), LogConfigError);
  t.equal(logConfigFromProperties({ 'retention.bytes': '-5' }).retentionBytes, -1, 'any negative size is unlimited');
});
