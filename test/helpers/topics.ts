/** Test helper: creates a topic directly through the broker's metadata controller (no CreateTopics needed). */
import type { RunningBroker } from '../../src/index.js';

export function createTopic(
  running: RunningBroker,
  name: string,
  options: { partitions?: number; configs?: Record<string, string> } = {},
): string {
  const controller = running.broker.controller;
  const result = controller.createTopic({
    name,
    numPartitions: options.partitions ?? 1,
    replicationFactor: 1,
    configs: new Map(Object.entries(options.configs ?? {})),
  });
  if (!result.ok) throw new Error(`cannot create ${name}: ${result.error.errorCode} ${result.error.errorMessage}`);
  controller.commit(result.records);
  return controller.image.topicsByName.get(name)!.topicId;
}

/** Resolves once `condition` holds, checking after each turn of the event loop (no fixed sleeps). */
export async function until(condition: () => boolean, maxTurns = 100_000): Promise<void> {
  for (let i = 0; i < maxTurns; i++) {
    if (condition()) return;
    await new Promise<void>((r) => setImmediate(r));
  }
  throw new Error('condition never held');
}
