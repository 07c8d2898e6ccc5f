/**
 * Container start to first ApiVersions answer (issue 18, goal <= 1 s), and the image size:
 * `npx tsx bench/ops/container-start.ts [image] [other image...]` with a Docker engine in
 * DOCKER_HOST. Given several images, their starts alternate (one of each per round) and each gets
 * its own rows, so they are compared under the same load.
 * Each run: `docker run -d` of the image with the Kafka port published on a free host port,
 * then ApiVersions v0 probes through that port until one is answered; the time is from
 * just before `docker run` to the answer. Also reports the time to /readyz 200 and the
 * same for a plain `node bin/gregor.js start` outside Docker. Runs BENCH_STARTS (5) times.
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { freePort, waitForApiVersions, startBroker } from '../broker/procs.js';
import { singleNodeEnvArgs } from '../../test/helpers/docker.js';

const images = process.argv.length > 2 ? process.argv.slice(2) : ['gregor:dev'];
const STARTS = Number(process.env.BENCH_STARTS ?? 5);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const docker = (...args: string[]): string => execFileSync('docker', args, { encoding: 'utf8' }).trim();

async function readyAt(port: number, timeoutMs = 20_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return performance.now();
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('/readyz never answered 200');
}

async function startOnce(image: string): Promise<{ toApi: number; toReady: number }> {
  const port = await freePort();
  const metricsPort = await freePort();
  const began = performance.now();
  const id = docker(
    'run',
    '-d',
    '--rm',
    '-p',
    `127.0.0.1:${port}:9092`,
    '-p',
    `127.0.0.1:${metricsPort}:9644`,
    ...singleNodeEnvArgs(port),
    image,
  );
  try {
    const toApi = (await waitForApiVersions(port)) - began;
    const toReady = (await readyAt(metricsPort)) - began;
    return { toApi, toReady };
  } finally {
    docker('stop', '-t', '5', id);
  }
}

const range = (xs: number[]): string => `${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)} ms`;

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const results = new Map(
    images.map((image) => [image, { toApi: [] as number[], toReady: [] as number[], bare: [] as number[] }]),
  );
  for (let i = 0; i < STARTS; i++) {
    for (const image of i % 2 === 0 ? images : [...images].reverse()) {
      const r = results.get(image)!;
      const { toApi, toReady } = await startOnce(image);
      r.toApi.push(toApi);
      r.toReady.push(toReady);
      // The engine's own share: `docker run` of the same image running an empty node script, to exit.
      const began = performance.now();
      docker('run', '--rm', '--entrypoint', 'node', image, '-e', '0');
      r.bare.push(performance.now() - began);
    }
  }
  const local: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    const broker = await startBroker();
    local.push(broker.readyAt - broker.spawnedAt);
    await broker.stop();
  }
  const loadAfter = loadavg();
  const rows: string[] = [];
  for (const [image, r] of results) {
    const size = Number(docker('image', 'inspect', image, '--format', '{{.Size}}'));
    rows.push(
      `| ${image}: image size | ${(size / 1e6).toFixed(0)} MB | | <= 200 MB |`,
      `| ${image}: \`docker run\` to first ApiVersions answer | ${median(r.toApi).toFixed(0)} ms | ${range(r.toApi)} | <= 1000 ms |`,
      `| ${image}: \`docker run\` to /readyz 200 | ${median(r.toReady).toFixed(0)} ms | ${range(r.toReady)} | |`,
      `| ${image}: for comparison, \`docker run --rm\` of \`node -e 0\`, to exit | ${median(r.bare).toFixed(0)} ms | ${range(r.bare)} | |`,
    );
  }
  console.log(
    [
      `One run of \`npx tsx bench/ops/container-start.ts ${images.join(' ')}\`, ${new Date().toISOString().slice(0, 16)} UTC, load average ${loadBefore.map((x) => x.toFixed(2)).join(' ')} before and ${loadAfter.map((x) => x.toFixed(2)).join(' ')} after, ${STARTS} starts each (median, min-max):`,
      '',
      '| figure | median | min-max | goal |',
      '| --- | ---: | ---: | --- |',
      ...rows,
      `| for comparison: spawn of \`node bin/gregor.js start\` (this checkout) to first ApiVersions answer | ${median(local).toFixed(0)} ms | ${range(local)} | |`,
    ].join('\n'),
  );
}

await main();
