/**
 * Test helper for the Docker tests: is an engine reachable, build the image once, free
 * host ports, and polling with a bound. The engine comes from the environment (DOCKER_HOST;
 * `.ci/run` starts one with ../shared/tools/local-docker/start.sh); without one the tests skip.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { run } from './external.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The image the tests use: GREGOR_TEST_IMAGE (CI builds it first), else gregor:test, built on demand. */
export const TEST_IMAGE = process.env.GREGOR_TEST_IMAGE ?? 'gregor:test';
/** The legacy builder works with every docker CLI, including static ones without buildx. */
export const DOCKER_ENV = { DOCKER_BUILDKIT: '0' };

/**
 * `docker run` arguments for a one-node KRaft broker advertised on `localhost:<port>`. As with
 * apache/kafka, KAFKA_* settings replace the image's defaults: these are every one such a node needs.
 */
export function singleNodeEnvArgs(port: number): string[] {
  return [
    'KAFKA_PROCESS_ROLES=broker,controller',
    'KAFKA_NODE_ID=1',
    'KAFKA_CONTROLLER_QUORUM_VOTERS=1@localhost:9093',
    'KAFKA_CONTROLLER_LISTENER_NAMES=CONTROLLER',
    'KAFKA_LISTENERS=PLAINTEXT://:9092,CONTROLLER://:9093',
    `KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://localhost:${port}`,
  ].flatMap((setting) => ['-e', setting]);
}

/** Null when an engine answers, else why the Docker tests skip. */
export function dockerUnavailable(): string | null {
  const info = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 15_000 });
  if (info.error)
    return `no docker CLI (${info.error.message}); run ../shared/tools/local-docker/start.sh or install Docker`;
  if (info.status !== 0)
    return `no Docker engine answers (${info.stderr.trim().split('\n')[0] ?? ''}); .ci/run starts one with ../shared/tools/local-docker/start.sh`;
  return null;
}

export async function imageExists(tag: string): Promise<boolean> {
  return (await run('docker', ['image', 'inspect', tag], { timeoutMs: 30_000 })).code === 0;
}

/**
 * `.ci/run` builds the test image in the background while the tests start, and names in
 * GREGOR_TEST_IMAGE_BUILD_STATUS the file it writes the build's exit code to when done: the
 * Docker tests wait for that file (up to 30 minutes) instead of starting a build of their own.
 */
async function backgroundBuildDone(tag: string): Promise<void> {
  const statusFile = process.env.GREGOR_TEST_IMAGE_BUILD_STATUS;
  if (statusFile === undefined || statusFile === '' || tag !== TEST_IMAGE) return;
  const deadline = Date.now() + 1_800_000;
  while (!existsSync(statusFile)) {
    if (Date.now() > deadline) throw new Error(`the background docker build did not end (${statusFile})`);
    await delay(500);
  }
  const code = readFileSync(statusFile, 'utf8').trim();
  if (code !== '0')
    throw new Error(`the background docker build failed (exit ${code}; see /tmp/gregor-ci-docker-build.log)`);
}

/** Builds docker/Dockerfile as `tag` unless it exists. `--network host` lets `npm ci` reach the registry on engines without NAT. */
export async function ensureImage(tag: string): Promise<void> {
  await backgroundBuildDone(tag);
  if (await imageExists(tag)) return;
  const built = await run('docker', ['build', '--network', 'host', '-f', 'docker/Dockerfile', '-t', tag, REPO_ROOT], {
    timeoutMs: 1_800_000,
    env: DOCKER_ENV,
  });
  if (built.code !== 0)
    throw new Error(`docker build failed:\n${built.stdout.slice(-3000)}\n${built.stderr.slice(-3000)}`);
}

/** Host ports to publish are picked outside the ephemeral range (ports.ts): see there why. */
export { freePort } from './ports.js';

/** Polls `check` every `everyMs` until it returns true, or throws after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(everyMs);
  }
}

/**
 * Ends the requests to the Docker engine that testcontainers (docker-modem) left open once a file's
 * tests are done: a streaming request (a followed log, a wait) outlived its container now and then,
 * and the test process then lingered ~5 minutes before tap saw it end (docker/kafka-module.test.ts:
 * 305 s in a CI run for 7 s of tests; 16 s in the runs before and after). Requests through a unix
 * socket are the engine's; stdio and the tests' own TCP sockets are left alone.
 */
export function closeEngineRequests(): void {
  const active = process as unknown as { _getActiveHandles?: () => unknown[] };
  for (const handle of active._getActiveHandles?.() ?? []) {
    if (!(handle instanceof Socket) || handle.destroyed) continue;
    const request = (handle as Socket & { _httpMessage?: { socketPath?: string } })._httpMessage;
    if (typeof request?.socketPath === 'string') handle.destroy();
  }
}
