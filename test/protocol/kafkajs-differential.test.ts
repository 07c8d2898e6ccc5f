/**
 * Differential tests against kafkajs's own protocol code (shipped in its npm package):
 * - requests encoded by kafkajs decode with Gregor's codecs and re-encode to the same
 *   bytes, for every API and version kafkajs implements;
 * - responses encoded by Gregor (schema-derived random values) decode with kafkajs, and
 *   every string and number we wrote shows up in what kafkajs read.
 */
import t from 'tap';
import fc from 'fast-check';
import { createRequire } from 'node:module';
import { Reader, Writer } from '../../protocol/primitives/index.js';
import { API_BY_KEY } from '../../protocol/generated/api-table.js';
import { KAFKAJS_REQUEST_ARGS } from './kafkajs-args.js';
import { loadSchemas, structArbitrary, type DefaultFactories } from './schema-arbitraries.js';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const apiKeys = require('kafkajs/src/protocol/requests/apiKeys') as Record<string, number>;
const requests = require('kafkajs/src/protocol/requests') as {
  requests: Record<
    string,
    { versions: string[]; protocol(o: { version: number }): (args: Record<string, unknown>) => KafkajsPair }
  >;
};

interface KafkajsPair {
  request: { apiKey: number; apiVersion: number; encode(): Promise<{ buffer: Buffer }> };
  response: { decode(buffer: Buffer): Promise<unknown> };
}

const generatedDir = fileURLToPath(new URL('../../protocol/generated/', import.meta.url));
const messageFiles = readdirSync(`${generatedDir}messages`);
const schemas = loadSchemas();

function leaves(value: unknown, out: Set<string>): Set<string> {
  if (value === null || value === undefined) return out;
  if (typeof value === 'bigint') out.add(value.toString());
  else if (typeof value === 'number') out.add(String(value));
  else if (typeof value === 'string') out.add(value);
  else if (Buffer.isBuffer(value)) return out;
  else if (Array.isArray(value)) for (const v of value) leaves(v, out);
  else if (typeof value === 'object') for (const v of Object.values(value as Record<string, unknown>)) leaves(v, out);
  return out;
}

type Schema = ReturnType<typeof loadSchemas>[number];
type StructDef = Schema['root'];

/** Leaves of the fields that `version` carries, walking the schema. */
function presentLeaves(
  schema: Schema,
  struct: StructDef,
  version: number,
  value: Record<string, unknown>,
  out: Set<string>,
): Set<string> {
  for (const field of struct.fields) {
    if (version < field.versions.min || version > field.versions.max) continue;
    const v = value[field.property];
    const t = field.type;
    const nested =
      t.kind === 'struct' ? t.name : t.kind === 'array' && t.element?.kind === 'struct' ? t.element.name : null;
    if (nested) {
      const def = schema.structs[nested]!;
      const items = Array.isArray(v) ? v : v === null ? [] : [v];
      for (const item of items) presentLeaves(schema, def, version, item as Record<string, unknown>, out);
    } else leaves(v, out);
  }
  return out;
}

/** Zeroes error codes, drops error messages and empties records: kafkajs parses record sets and some decoders throw on errors. */
function tame(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(tame);
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === 'errorCode') out[k] = 0;
    // kafkajs reads and drops some error messages (the reassignment APIs), so none are compared.
    else if (k === 'errorMessage') out[k] = null;
    else if (k === 'records') out[k] = Buffer.alloc(0);
    else out[k] = tame(v);
  }
  return out;
}

const requestsByName = requests.requests;
for (const [name, definition] of Object.entries(requestsByName)) {
  const args = KAFKAJS_REQUEST_ARGS[name];
  if (!args || definition.versions.length === 0) continue;
  const apiKey = apiKeys[name === 'GroupCoordinator' ? 'GroupCoordinator' : name]!;
  const api = API_BY_KEY.get(apiKey);
  if (!api) continue;

  t.test(`${name} (key ${apiKey}): kafkajs requests decode and re-encode byte for byte`, async (t) => {
    for (const v of definition.versions.map(Number)) {
      const { request } = definition.protocol({ version: v })(args);
      let bytes = (await request.encode()).buffer;
      // kafkajs writes the flexible request header's empty tagged fields at the start of the body.
      if (api.firstFlexibleVersion >= 0 && v >= api.firstFlexibleVersion) bytes = bytes.subarray(1);
      const r = new Reader(bytes);
      const decoded = api.decodeRequest(r, v);
      t.equal(r.remaining, 0, `${name} v${v}: every byte consumed`);
      const w = new Writer();
      api.encodeRequest(w, v, decoded);
      t.ok(w.toBuffer().equals(bytes), `${name} v${v}: re-encodes to kafkajs's bytes`);
    }
  });

  const responseSchema = schemas.find((s) => s.apiKey === apiKey && s.type === 'response');
  if (!responseSchema) continue;
  t.test(`${name} (key ${apiKey}): Gregor responses decode with kafkajs`, async (t) => {
    const file = messageFiles.find((f) => f.startsWith(`${String(apiKey).padStart(2, '0')}-`))!;
    const mod = (await import(`${generatedDir}messages/${file}`)) as DefaultFactories;
    for (const v of definition.versions.map(Number)) {
      const { response } = definition.protocol({ version: v })(args);
      const samples = fc.sample(structArbitrary(responseSchema, responseSchema.root, v, mod), {
        numRuns: 5,
        seed: apiKey * 100 + v,
      });
      for (const sample of samples) {
        const value = tame(sample);
        const w = new Writer();
        api.encodeResponse(w, v, value);
        // ...and likewise expects the flexible response header's tagged fields in the body.
        const flexible = api.firstFlexibleVersion >= 0 && v >= api.firstFlexibleVersion && apiKey !== 18;
        const body = flexible ? Buffer.concat([Buffer.from([0]), w.toBuffer()]) : w.toBuffer();
        const decoded = await response.decode(body);
        const theirs = leaves(decoded, new Set());
        const ours = presentLeaves(responseSchema, responseSchema.root, v, value as Record<string, unknown>, new Set());
        const missing = [...ours].filter((x) => !theirs.has(x));
        t.same(missing, [], `${name} v${v}: kafkajs reads every value Gregor wrote`);
      }
    }
  });
}
