/**
 * Property test of the UNKNOWN_SERVER_ERROR answers: for every API and version Gregor
 * serves, arbitrary requests give an error response that encodes, decodes, and has
 * UNKNOWN_SERVER_ERROR in every error code it carries; Produce and Fetch mirror every
 * requested topic and partition.
 */
import t from 'tap';
import fc from 'fast-check';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Reader, Writer } from '../../protocol/primitives/index.js';
import { API_BY_KEY } from '../../protocol/generated/api-table.js';
import { loadSchemas, structArbitrary, type DefaultFactories } from '../../test/protocol/schema-arbitraries.js';
import { HANDLERS } from '../handlers/table.js';
import { buildErrorResponse } from './error-response.js';

const RUNS = 8;
const UNKNOWN_SERVER_ERROR = -1;
const generatedDir = fileURLToPath(new URL('../../protocol/generated/', import.meta.url));
const messageFiles = readdirSync(`${generatedDir}messages`);
const schemas = loadSchemas();
const requestSchemas = new Map(
  schemas.filter((s) => s.type === 'request' && s.apiKey !== null).map((s) => [s.apiKey!, s]),
);
const responseSchemas = new Map(
  schemas.filter((s) => s.type === 'response' && s.apiKey !== null).map((s) => [s.apiKey!, s]),
);

type Schema = ReturnType<typeof loadSchemas>[number];
type Struct = Schema['root'];

/** Every error code present at `version` in a decoded message, with its path. */
function errorCodes(
  schema: Schema,
  struct: Struct,
  value: Record<string, unknown>,
  version: number,
  path = '',
): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const f of struct.fields) {
    if (version < f.versions.min || version > f.versions.max) continue;
    const v = value[f.property];
    const here = `${path}.${f.property}`;
    if (f.type.kind === 'primitive') {
      if (f.type.name === 'int16' && f.name.endsWith('ErrorCode')) out.push([here, v]);
      continue;
    }
    const typeName = f.type.kind === 'array' ? f.type.element!.name : f.type.name;
    const inner = typeName ? schema.structs[typeName] : undefined;
    if (!inner) continue;
    const items = Array.isArray(v) ? v : v ? [v] : [];
    items.forEach((item, i) =>
      out.push(...errorCodes(schema, inner, item as Record<string, unknown>, version, `${here}[${i}]`)),
    );
  }
  return out;
}

for (const handler of HANDLERS) {
  t.test(`${handler.name}: error responses at every served version`, async (t) => {
    const api = API_BY_KEY.get(handler.apiKey)!;
    const schema = requestSchemas.get(handler.apiKey)!;
    const file = messageFiles.find((f) => f.startsWith(`${String(handler.apiKey).padStart(2, '0')}-`));
    const factories = (await import(`${generatedDir}messages/${file}`)) as DefaultFactories;
    for (let v = handler.minVersion; v <= handler.maxVersion; v++) {
      const samples = fc.sample(structArbitrary(schema, schema.root, v, factories), { numRuns: RUNS, seed: 42 + v });
      for (const request of samples) {
        const response = await buildErrorResponse(handler.apiKey, v, request, UNKNOWN_SERVER_ERROR);
        t.ok(response, `${handler.name} v${v}: built`, { diagnostic: false });
        const w = new Writer();
        api.encodeResponse(w, v, response);
        const decoded = api.decodeResponse(new Reader(w.toBuffer()), v);
        const responseSchema = responseSchemas.get(handler.apiKey)!;
        const wrong = errorCodes(responseSchema, responseSchema.root, decoded as Record<string, unknown>, v).filter(
          ([, code]) => code !== UNKNOWN_SERVER_ERROR,
        );
        if (wrong.length > 0) t.fail(`${handler.name} v${v}: error codes not set: ${wrong.map(([p]) => p).join(', ')}`);
      }
    }
  });
}

t.test('Produce and Fetch mirror every requested topic and partition', async (t) => {
  const produce = (await buildErrorResponse(
    0,
    9,
    {
      acks: 1,
      topicData: [
        { name: 'a', partitionData: [{ index: 0 }, { index: 3 }] },
        { name: 'b', partitionData: [{ index: 1 }] },
      ],
    },
    UNKNOWN_SERVER_ERROR,
  )) as { responses: Array<{ name: string; partitionResponses: Array<{ index: number; errorCode: number }> }> };
  t.same(
    produce.responses.map((r) => [r.name, r.partitionResponses.map((p) => [p.index, p.errorCode])]),
    [
      [
        'a',
        [
          [0, -1],
          [3, -1],
        ],
      ],
      ['b', [[1, -1]]],
    ],
  );
  const fetch = (await buildErrorResponse(
    1,
    12,
    { topics: [{ topic: 'f', partitions: [{ partition: 2 }] }] },
    UNKNOWN_SERVER_ERROR,
  )) as {
    errorCode: number;
    responses: Array<{
      topic: string;
      partitions: Array<{ partitionIndex: number; errorCode: number; records: Buffer | null }>;
    }>;
  };
  t.equal(fetch.errorCode, -1, 'top-level error code');
  t.same(
    fetch.responses[0]!.partitions[0]!.records,
    Buffer.alloc(0),
    'empty records, not null (Kafka: MemoryRecords.EMPTY)',
  );
  t.same(
    fetch.responses.map((r) => [r.topic, r.partitions.map((p) => [p.partitionIndex, p.errorCode])]),
    [['f', [[2, -1]]]],
  );
});
