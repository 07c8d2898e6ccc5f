/**
 * Golden request frames captured from real clients (kafkajs, librdkafka through kcat,
 * kafka-python; see capture-golden.ts): each decodes with the generated codecs, uses
 * every byte, and re-encodes to exactly the bytes the client sent.
 */
import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { Reader, Writer } from '../../protocol/primitives/index.js';
import { readRequestHeader, writeRequestHeader } from '../../protocol/frame.js';
import { API_BY_KEY } from '../../protocol/generated/api-table.js';

const dir = new URL('./golden/', import.meta.url);
for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
  const frames = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as Array<{
    apiKey: number;
    apiVersion: number;
    hex: string;
  }>;
  t.test(file, async (t) => {
    t.ok(frames.length > 0, 'has frames');
    for (const f of frames) {
      const bytes = Buffer.from(f.hex, 'hex');
      const r = new Reader(bytes);
      const header = readRequestHeader(r);
      const api = API_BY_KEY.get(header.requestApiKey)!;
      const body = api.decodeRequest(r, header.requestApiVersion);
      t.equal(r.remaining, 0, `${api.name} v${f.apiVersion}: every byte used`);
      const w = new Writer();
      writeRequestHeader(w, header);
      api.encodeRequest(w, header.requestApiVersion, body);
      t.equal(w.toBuffer().toString('hex'), f.hex, `${api.name} v${f.apiVersion}: re-encodes byte for byte`);
    }
  });
}
