/**
 * Test helper: a throwaway broker on 127.0.0.1 with an ephemeral port, stopped when the test ends.
 * GREGOR_TEST_STORAGE=memory runs every such broker in memory (log.dirs=memory:) unless the test
 * asks for a data dir or its own log.dirs, so the client suites can be run on the in-memory mode.
 */
import type { Test } from 'tap';
import { startBroker, type RunningBroker, type StartBrokerOptions } from '../../src/index.js';

function withTestStorage(options: StartBrokerOptions): StartBrokerOptions {
  const wanted = process.env.GREGOR_TEST_STORAGE;
  if (wanted === undefined || wanted === '' || wanted === 'disk') return options;
  if (wanted !== 'memory') throw new Error(`GREGOR_TEST_STORAGE must be disk or memory, got ${wanted}`);
  if (options.storage !== undefined || options.dataDir !== undefined || options.config?.['log.dirs'] !== undefined)
    return options;
  return { ...options, storage: 'memory' };
}

export async function brokerFor(t: Test, options: StartBrokerOptions = {}): Promise<RunningBroker> {
  const broker = await startBroker(withTestStorage(options));
  t.teardown(() => broker.stop());
  return broker;
}
