/**
 * Round-trip property for every API key and version, requests and responses, and
 * every internal record schema: encode a schema-derived value, decode it, and get the
 * same value back, with nothing left over. Also: truncating or mutating a valid frame
 * only ever raises ProtocolDecodeError.
 */
import t from 'tap';
import fc from 'fast-check';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Reader, Writer, ProtocolDecodeError } from '../../protocol/primitives/index.js';
import { loadSchemas, structArbitrary, type DefaultFactories, type NormalisedSchema } from './schema-arbitraries.js';

const RUNS = Number(process.env.ROUNDTRIP_RUNS ?? 12);
const generatedDir = fileURLToPath(new URL('../../protocol/generated/', import.meta.url));
const messageFiles = readdirSync(`${generatedDir}messages`);

async function moduleFor(schema: NormalisedSchema): Promise<DefaultFactories> {
  if (schema.folder)
    return (await import(`${generatedDir}records/${schema.folder}/${schema.name}.ts`)) as DefaultFactories;
  if (schema.type === 'data') return (await import(`${generatedDir}data/${schema.name}.ts`)) as DefaultFactories;
  if (schema.apiKey === null) return (await import(`${generatedDir}headers.ts`)) as DefaultFactories;
  const prefix = `${String(schema.apiKey).padStart(2, '0')}-`;
  const file = messageFiles.find((f) => f.startsWith(prefix));
  return (await import(`${generatedDir}messages/${file}`)) as DefaultFactories;
}

type Encode = (w: Writer, version: number, value: unknown) => void;
type Decode = (r: Reader, version: number) => unknown;

for (const schema of loadSchemas()) {
  t.test(`${schema.name}`, async (t) => {
    const mod = await moduleFor(schema);
    const encode = mod[`encode${schema.name}`] as Encode;
    const decode = mod[`decode${schema.name}`] as Decode;
    for (let v = schema.validVersions.min; v <= schema.validVersions.max; v++) {
      const arb = structArbitrary(schema, schema.root, v, mod);
      let checked = 0;
      fc.assert(
        fc.property(arb, (value) => {
          const w = new Writer();
          encode(w, v, value);
          const bytes = w.toBuffer();
          const r = new Reader(bytes);
          const back = decode(r, v);
          t.same(back, value, `${schema.name} v${v} round-trips`, { diagnostic: false });
          if (r.remaining !== 0) throw new Error(`${schema.name} v${v}: ${r.remaining} bytes left over`);
          // Every strict prefix is either decodable or a typed error.
          for (const cut of [bytes.length - 1, bytes.length >> 1, 1]) {
            if (cut <= 0 || cut >= bytes.length) continue;
            try {
              decode(new Reader(bytes.subarray(0, cut)), v);
            } catch (err) {
              if (!(err instanceof ProtocolDecodeError)) throw err;
            }
          }
          checked++;
        }),
        { numRuns: RUNS, seed: 42 + v },
      );
      t.equal(checked, RUNS, `${schema.name} v${v}: ${RUNS} values`);
    }
  });
}
