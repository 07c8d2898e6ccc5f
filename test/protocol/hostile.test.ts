/**
 * Hostile input: for every request schema and version, valid frames with random byte
 * mutations (including large length and count fields) and plain random bytes either
 * decode or raise ProtocolDecodeError: never a RangeError, a hang, or a huge allocation.
 */
import t from 'tap';
import fc from 'fast-check';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Reader, Writer, ProtocolDecodeError } from '../../protocol/primitives/index.js';
import { loadSchemas, structArbitrary, type DefaultFactories } from './schema-arbitraries.js';

const generatedDir = fileURLToPath(new URL('../../protocol/generated/', import.meta.url));
const messageFiles = readdirSync(`${generatedDir}messages`);
type Decode = (r: Reader, version: number) => unknown;
type Encode = (w: Writer, version: number, value: unknown) => void;

function decodeSafely(decode: Decode, bytes: Buffer, version: number): void {
  try {
    decode(new Reader(bytes), version);
  } catch (err) {
    if (!(err instanceof ProtocolDecodeError)) throw err;
  }
}

t.test('mutated and random request frames raise only typed errors', async (t) => {
  const before = process.memoryUsage().arrayBuffers;
  let cases = 0;
  for (const schema of loadSchemas().filter((s) => s.type === 'request' && s.apiKey !== null)) {
    const file = messageFiles.find((f) => f.startsWith(`${String(schema.apiKey).padStart(2, '0')}-`))!;
    const mod = (await import(`${generatedDir}messages/${file}`)) as DefaultFactories;
    const decode = mod[`decode${schema.name}`] as Decode;
    const encode = mod[`encode${schema.name}`] as Encode;
    for (let v = schema.validVersions.min; v <= schema.validVersions.max; v++) {
      const valid = fc.sample(structArbitrary(schema, schema.root, v, mod), { numRuns: 2, seed: v });
      for (const value of valid) {
        const w = new Writer();
        encode(w, v, value);
        const bytes = w.toBuffer();
        fc.assert(
          fc.property(
            fc.array(fc.tuple(fc.nat(), fc.constantFrom(0x00, 0x7f, 0x80, 0xff, 0x40)), { minLength: 1, maxLength: 4 }),
            (flips) => {
              const copy = Buffer.from(bytes);
              for (const [at, byte] of flips) if (copy.length > 0) copy[at % copy.length] = byte;
              decodeSafely(decode, copy, v);
              cases++;
            },
          ),
          { numRuns: 15, seed: 7 },
        );
      }
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 64 }), (random) => {
          decodeSafely(decode, Buffer.from(random), v);
          cases++;
        }),
        { numRuns: 10, seed: 11 },
      );
    }
  }
  const grown = process.memoryUsage().arrayBuffers - before;
  t.ok(cases > 5000, `${cases} hostile frames decoded or refused`);
  t.ok(grown < 64 * 1024 * 1024, `buffers grew by ${(grown / 1048576).toFixed(1)} MiB, never by a declared length`);
});
