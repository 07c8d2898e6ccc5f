/**
 * BROKER_LOGGER configs: DescribeConfigs lists the named loggers with effective levels,
 * IncrementalAlterConfigs SET/DELETE changes them on this node (and the log output
 * follows), Kafka's error codes for bad input, and the start-up levels from log4j.* configs.
 */
import t from 'tap';
import { Writable } from 'node:stream';
import pino from 'pino';
import { DescribeConfigsApi } from '../../protocol/generated/messages/32-describe-configs.js';
import { IncrementalAlterConfigsApi } from '../../protocol/generated/messages/44-incremental-alter-configs.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { startBroker } from '../index.js';
import { ConfigError } from '../common/config.js';
import { LogLevels } from '../common/log-levels.js';
import { brokerFor } from '../../test/helpers/broker.js';
import { rawClient, type RawClient } from '../../test/helpers/raw-client.js';
import { createTopic } from '../../test/helpers/topics.js';
import { produce } from '../../test/helpers/data-path.js';

const BROKER_LOGGER = 8;
const SET = 0;
const DELETE = 1;
const APPEND = 2;

async function levels(c: RawClient): Promise<Record<string, string>> {
  const res = await c.call(DescribeConfigsApi, 4, {
    resources: [{ resourceType: BROKER_LOGGER, resourceName: '1', configurationKeys: null }],
    includeSynonyms: false,
    includeDocumentation: false,
  });
  return Object.fromEntries(res.results[0]!.configs.map((e) => [e.name, e.value ?? '']));
}

async function alter(
  c: RawClient,
  configs: Array<{ name: string; configOperation: number; value: string | null }>,
  resourceName = '1',
  validateOnly = false,
) {
  const res = await c.call(IncrementalAlterConfigsApi, 1, {
    resources: [{ resourceType: BROKER_LOGGER, resourceName, configs }],
    validateOnly,
  });
  return res.responses[0]!;
}

t.test('loggers inherit from dotted ancestors and root', async (t) => {
  const levels = new LogLevels(pino({ level: 'info' }));
  const raft = levels.logger('kafka.raft');
  const server = levels.logger('kafka.server');
  levels.set('kafka', 'DEBUG');
  t.equal(raft.level, 'debug');
  levels.set('kafka.raft', 'ERROR');
  t.equal(raft.level, 'error');
  t.equal(server.level, 'debug');
  levels.unset('kafka.raft');
  t.equal(raft.level, 'debug', 'back to its ancestor');
  levels.unset('kafka');
  levels.set('root', 'OFF');
  t.equal(server.level, 'silent');
  t.throws(() => levels.unset('root'), /root logger/);
  t.throws(() => levels.set('kafka', 'LOUD'), RangeError);
});

t.test('DescribeConfigs and IncrementalAlterConfigs on BROKER_LOGGER', async (t) => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...String(chunk).trim().split('\n'));
      done();
    },
  });
  const running = await brokerFor(t, { logger: pino({ level: 'info' }, sink) });
  const c = await rawClient(running.port);
  t.teardown(() => c.close());
  createTopic(running, 'quiet');

  const before = await levels(c);
  t.equal(before.root, 'INFO');
  t.equal(before['kafka.network'], 'INFO', 'a module logger, at the inherited level');
  t.equal(before['kafka.raft'], 'INFO');

  // A refused produce is logged at debug by the request path (kafka.network): not at INFO.
  await produce(c, 9, 'quiet', 0, null);
  t.notOk(
    lines.some((l) => l.includes('produce refused')),
    'nothing at INFO',
  );

  t.same(await alter(c, [{ name: 'kafka.network', configOperation: SET, value: 'debug' }], '1', true), {
    errorCode: 0,
    errorMessage: null,
    resourceType: BROKER_LOGGER,
    resourceName: '1',
  });
  t.equal((await levels(c))['kafka.network'], 'INFO', 'validateOnly changes nothing');
  t.equal((await alter(c, [{ name: 'kafka.network', configOperation: SET, value: 'DEBUG' }])).errorCode, 0);
  t.equal((await levels(c))['kafka.network'], 'DEBUG');
  t.equal((await levels(c))['kafka.raft'], 'INFO', 'other loggers unchanged');
  await produce(c, 9, 'quiet', 0, null);
  const logged = lines.find((l) => l.includes('produce refused'));
  t.ok(logged, 'the debug line appears');
  t.match(JSON.parse(logged ?? '{}'), { logger: 'kafka.network', level: 20 });

  t.equal((await alter(c, [{ name: 'kafka.network', configOperation: DELETE, value: null }])).errorCode, 0);
  t.equal((await levels(c))['kafka.network'], 'INFO', 'DELETE: back to root');
  t.equal((await alter(c, [{ name: 'root', configOperation: SET, value: 'WARN' }])).errorCode, 0);
  t.equal((await levels(c))['kafka.raft'], 'WARN', 'root reaches every logger without its own level');

  t.equal(
    (await alter(c, [{ name: 'root', configOperation: DELETE, value: null }])).errorCode,
    ErrorCode.INVALID_REQUEST,
  );
  t.equal(
    (await alter(c, [{ name: 'kafka.raft', configOperation: APPEND, value: 'DEBUG' }])).errorCode,
    ErrorCode.INVALID_REQUEST,
  );
  t.equal(
    (await alter(c, [{ name: 'no.such.logger', configOperation: SET, value: 'DEBUG' }])).errorCode,
    ErrorCode.INVALID_CONFIG,
  );
  t.equal(
    (await alter(c, [{ name: 'kafka.raft', configOperation: SET, value: 'LOUD' }])).errorCode,
    ErrorCode.INVALID_CONFIG,
  );
  t.equal(
    (await alter(c, [{ name: 'kafka.raft', configOperation: SET, value: 'DEBUG' }], '2')).errorCode,
    ErrorCode.INVALID_REQUEST,
    'another node',
  );
});

t.test('start-up levels from log4j.root.loglevel and log4j.loggers', async (t) => {
  const discard = new Writable({ write: (_chunk, _enc, done) => done() });
  const running = await brokerFor(t, {
    config: { 'log4j.root.loglevel': 'WARN', 'log4j.loggers': 'kafka.raft=DEBUG' },
    logger: pino({ level: 'info' }, discard),
  });
  const c = await rawClient(running.port);
  t.teardown(() => c.close());
  const now = await levels(c);
  t.equal(now.root, 'WARN');
  t.equal(now['kafka.raft'], 'DEBUG');
  t.equal(now['kafka.server'], 'WARN');
  await t.rejects(startBroker({ config: { 'log4j.loggers': 'kafka.raft' } }), ConfigError);
  await t.rejects(startBroker({ config: { 'log4j.root.loglevel': 'LOUD' } }), ConfigError);
});
