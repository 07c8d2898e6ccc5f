/**
 * Runs a Gregor broker in its own process for the group benchmarks, so the broker and
 * the load generator do not share an event loop. argv[2]: JSON `{ config, topics }`
 * (config by Kafka name on top of startBroker's dev defaults; topics as name → partitions).
 * Prints `{"port": N}` once serving; stops when stdin closes.
 */
import { startBroker } from '../../src/index.js';
import { createTopic } from '../../test/helpers/topics.js';

interface Spec {
  config?: Record<string, string | number | boolean>;
  topics?: Record<string, number>;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as Spec;
const running = await startBroker({ config: spec.config ?? {} });
for (const [name, partitions] of Object.entries(spec.topics ?? {})) createTopic(running, name, { partitions });
process.stdout.write(`${JSON.stringify({ port: running.port })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void running.stop().then(() => process.exit(0));
});
