/** Test helper: a throwaway broker on 127.0.0.1 with an ephemeral port, stopped when the test ends. */
import type { Test } from 'tap';
import { startBroker, type RunningBroker, type StartBrokerOptions } from '../../src/index.js';

export async function brokerFor(t: Test, options: StartBrokerOptions = {}): Promise<RunningBroker> {
  const broker = await startBroker(options);
  t.teardown(() => broker.stop());
  return broker;
}
