/**
 * The driver of the handler fuzz tests: well-formed but arbitrary requests, for every API and
 * version, each on its own connection to a running broker (a request that legitimately waits,
 * such as a JoinGroup, holds only its own); waits the request names (timeouts, max wait) are cut
 * to at most 200 ms so a run stays short, and about half the names point at things that exist.
 * Seeded: the same requests every run (GREGOR_FUZZ_SEED picks others, GREGOR_FUZZ_SAMPLES more).
 */
import type { Test } from 'tap';
import fc from 'fast-check';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Socket } from 'node:net';
import { rawClient } from '../helpers/raw-client.js';
import { valueWithin } from '../helpers/poll.js';
import { encodeFrame, writeRequestHeader } from '../../protocol/frame.js';
import { ProtocolEncodeError, Writer } from '../../protocol/primitives/index.js';
import { API_BY_KEY } from '../../protocol/generated/api-table.js';
import { ApiVersionsApi } from '../../protocol/generated/messages/18-api-versions.js';
import { ProduceApi } from '../../protocol/generated/messages/00-produce.js';
import { loadSchemas, structArbitrary, type DefaultFactories } from './schema-arbitraries.js';

const SEED = Number(process.env.GREGOR_FUZZ_SEED ?? 848);
const SAMPLES = Number(process.env.GREGOR_FUZZ_SAMPLES ?? 2);
const ANSWER_WAIT_MS = 1500;
const KNOWN_NAMES = ['fuzz', '__consumer_offsets', 'fuzz-group', 'fuzz-txn'];

const generatedDir = fileURLToPath(new URL('../../protocol/generated/', import.meta.url));
const messageFiles = readdirSync(`${generatedDir}messages`);

/** Cuts waits to at most 200 ms and points about half of the names at things that exist. */
export function tame(value: unknown, random: () => number): unknown {
  if (Array.isArray(value)) return value.map((v) => tame(v, random));
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === 'number' && /timeout|wait/i.test(key)) out[key] = Math.floor(random() * 200);
    else if (typeof v === 'string' && /^(name|topic|topicName|groupId|transactionalId)$/.test(key) && random() < 0.5)
      out[key] = KNOWN_NAMES[Math.floor(random() * KNOWN_NAMES.length)]!;
    else out[key] = tame(v, random);
  }
  return out;
}

/** Sends one frame on a fresh connection; resolves when an answer comes, the broker closes, or the wait ends. */
function exchange(port: number, frame: Buffer): Promise<'answered' | 'closed' | 'silent'> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let settled = false;
    const done = (how: 'answered' | 'closed' | 'silent'): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(how);
    };
    const timer = setTimeout(() => done('silent'), ANSWER_WAIT_MS);
    socket.on('data', () => done('answered'));
    socket.on('close', () => done('closed'));
    socket.on('error', () => done('closed'));
    socket.connect(port, '127.0.0.1', () => socket.write(frame));
  });
}

export interface FuzzOutcome {
  answered: number;
  closed: number;
  silent: string[];
  /** Connections closed over a request of a version the broker advertises (an acks=0 Produce aside). */
  wronglyClosed: string[];
  /** The API after whose requests the broker stopped answering ApiVersions within 5 s, if any. */
  stoppedAfter: string | null;
}

/** Sends every API's arbitrary requests to `port`, checking after each API that the broker still answers. */
export async function fuzzBroker(t: Test, port: number): Promise<FuzzOutcome> {
  const admin = await rawClient(port);
  try {
    const advertised = await admin.call(ApiVersionsApi, 3, { clientSoftwareName: 'fuzz', clientSoftwareVersion: '1' });
    const serves = (apiKey: number, version: number): boolean =>
      advertised.apiKeys.some((k) => k.apiKey === apiKey && version >= k.minVersion && version <= k.maxVersion);
    const wronglyClosed: string[] = [];
    let seed = SEED;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const outcomes = { answered: 0, closed: 0, silent: 0 };
    const silent: string[] = [];
    const closed: string[] = [];
    for (const schema of loadSchemas().filter((s) => s.type === 'request' && s.apiKey !== null)) {
      const api = API_BY_KEY.get(schema.apiKey!);
      if (!api) continue;
      const file = messageFiles.find((f) => f.startsWith(`${String(schema.apiKey).padStart(2, '0')}-`))!;
      const mod = (await import(`${generatedDir}messages/${file}`)) as DefaultFactories;
      const frames: Array<{ label: string; version: number; frame: Buffer }> = [];
      for (let v = api.minVersion; v <= api.maxVersion; v++) {
        const values = fc.sample(structArbitrary(schema, schema.root, v, mod), { numRuns: SAMPLES, seed: SEED + v });
        values.forEach((value, i) => {
          // A tamed field the version lacks does not encode: then the request goes as generated.
          let request = tame(value, random);
          try {
            api.encodeRequest(new Writer(), v, request);
          } catch (err) {
            if (!(err instanceof ProtocolEncodeError)) throw err;
            request = value;
          }
          const frame = Buffer.concat(
            encodeFrame((w) => {
              writeRequestHeader(w, {
                requestApiKey: api.apiKey,
                requestApiVersion: v,
                correlationId: i,
                clientId: 'fuzz',
              });
              api.encodeRequest(w, v, request);
            }),
          );
          frames.push({ label: `${api.name} v${v} #${i}`, version: v, frame });
        });
      }
      const results = await Promise.all(frames.map((f) => exchange(port, f.frame)));
      results.forEach((how, i) => {
        outcomes[how]++;
        if (how === 'silent') silent.push(frames[i]!.label);
        if (how === 'closed') closed.push(frames[i]!.label);
        // An acks=0 Produce that fails closes its connection, as on Kafka (the client learns of it so).
        const mayClose = api.apiKey === ProduceApi.apiKey || !serves(api.apiKey, frames[i]!.version);
        if (how === 'closed' && !mayClose) wronglyClosed.push(frames[i]!.label);
        if (how === 'closed' && process.env.GREGOR_FUZZ_DUMP === frames[i]!.label)
          t.comment(`frame ${frames[i]!.frame.toString('hex')}`);
      });
      // Still serving others, promptly, after every API's requests.
      const versions = await valueWithin(
        admin.call(ApiVersionsApi, 3, { clientSoftwareName: 'fuzz', clientSoftwareVersion: '1' }),
        5000,
      );
      if (versions === null || versions.errorCode !== 0) {
        return { answered: outcomes.answered, closed: outcomes.closed, silent, wronglyClosed, stoppedAfter: api.name };
      }
    }
    t.comment(
      `answered ${outcomes.answered}, closed ${outcomes.closed}, no answer in ${ANSWER_WAIT_MS} ms ${outcomes.silent}`,
    );
    if (silent.length > 0) t.comment(`no answer: ${silent.join(', ')}`);
    if (process.env.GREGOR_FUZZ_VERBOSE) t.comment(`closed: ${closed.join(', ')}`);

    return { answered: outcomes.answered, closed: outcomes.closed, silent, wronglyClosed, stoppedAfter: null };
  } finally {
    admin.close();
  }
}
