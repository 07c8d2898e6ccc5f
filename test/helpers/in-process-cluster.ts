/**
 * Test helper: three combined broker+controller nodes in this process on real sockets (ephemeral
 * PLAINTEXT ports, CONTROLLER ports from ports.ts, start-up tried again if one is taken), one quorum, stopped when the test ends. Resolves once a
 * controller leads and every node is registered and unfenced in its image (unless told not to wait:
 * tests of a cluster that must not form).
 */
import type { Test } from 'tap';
import type { Logger } from '../../src/common/logger.js';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { freePort, isAddressInUse } from './ports.js';
import { pollUntil } from './poll.js';

const QUORUM_SETTINGS = {
  'controller.quorum.election.timeout.ms': 400,
  'controller.quorum.fetch.timeout.ms': 800,
  'controller.quorum.election.backoff.max.ms': 300,
  'controller.quorum.request.timeout.ms': 800,
  'broker.heartbeat.interval.ms': 100,
  'broker.session.timeout.ms': 3000,
};

/** Polls `check` every 20 ms until it returns a value, failing after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  timeoutMs: number,
  check: () => T | null | undefined | false,
): Promise<T> {
  return pollUntil(what, timeoutMs, check, 20);
}

export interface ThreeNodeOptions {
  /** Resolve once the nodes have started, without waiting for a quorum and registrations. */
  noWait?: boolean;
  /** Each node's logger (by node id); silent otherwise. */
  logger?: (nodeId: number) => Logger;
}

/** The nodes, stopped when the test ends; a test that stops one itself removes it from the array. */
export async function threeNodeCluster(
  t: Test,
  config: Record<string, string | number> = {},
  /** The nodes' client listeners (ephemeral ports); the CONTROLLER listener is added. */
  clientListeners = 'PLAINTEXT://127.0.0.1:0',
  options: ThreeNodeOptions = {},
): Promise<RunningBroker[]> {
  // Registered before t.testdir(): tap removes the test dir only after these teardowns have run
  // (a node still stopping, e.g. in a controlled shutdown, must not lose its files under it).
  const nodes: RunningBroker[] = [];
  t.teardown(async () => {
    for (const node of nodes) await node.stop();
  });
  const base = t.testdir();
  // The CONTROLLER ports are chosen up front (the voters name them); another test file may bind one
  // between the pick and the start: then everything starts again with fresh ports.
  for (let attempt = 1; ; attempt++) {
    const ports = [await freePort(), await freePort(), await freePort()];
    const voters = ports.map((p, i) => `${i + 1}@127.0.0.1:${p}`).join(',');
    try {
      for (let i = 0; i < 3; i++) {
        nodes.push(
          await startBroker({
            ...(options.logger ? { logger: options.logger(i + 1) } : {}),
            dataDir: `${base}/attempt-${attempt}/node-${i + 1}`,
            config: {
              ...QUORUM_SETTINGS,
              'cluster.id': 'in-process-cluster',
              ...config,
              'node.id': i + 1,
              listeners: `${clientListeners},CONTROLLER://127.0.0.1:${ports[i]}`,
              'controller.quorum.voters': voters,
            },
          }),
        );
      }
      break;
    } catch (error) {
      if (attempt === 4 || !isAddressInUse(String(error))) throw error;
      for (const node of nodes.splice(0)) await node.stop();
    }
  }
  if (options.noWait === true) return nodes;
  await eventually('every node registered and unfenced', 20000, () =>
    nodes.every((n) => [1, 2, 3].every((id) => n.broker.controller.image.brokers.get(id)?.fenced === false)),
  );
  return nodes;
}
