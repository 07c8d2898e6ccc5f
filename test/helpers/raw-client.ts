/** Test helper: a raw Kafka protocol client on one socket, sending typed requests through the generated codecs. */
import { Socket } from 'node:net';
import { once } from 'node:events';
import { Reader } from '../../protocol/primitives/index.js';
import { encodeFrame, readResponseHeader, writeRequestHeader } from '../../protocol/frame.js';
import type { ApiDefinition } from '../../protocol/generated/api-definition.js';

export interface RawClient {
  socket: Socket;
  closed: Promise<unknown>;
  send(frames: Buffer[]): void;
  /** The next whole response frame (without its size prefix). */
  next(): Promise<Buffer>;
  /** Sends one request and decodes its response. */
  request<Req, Res>(api: ApiDefinition<Req, Res>, version: number, body: Req): Promise<Res>;
  close(): void;
}

/** Sends raw frames on one socket and collects whole response frames. */
export async function rawClient(port: number): Promise<RawClient> {
  const socket = new Socket();
  socket.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let pending = Buffer.alloc(0);
  const frames: Buffer[] = [];
  const waiters: Array<(b: Buffer) => void> = [];
  socket.on('data', (d: Buffer) => {
    pending = Buffer.concat([pending, d]);
    while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
      const f = pending.subarray(4, 4 + pending.readInt32BE(0));
      pending = pending.subarray(4 + f.length);
      const w = waiters.shift();
      if (w) w(f);
      else frames.push(f);
    }
  });
  let correlationId = 1000;
  const next = (): Promise<Buffer> => {
    const f = frames.shift();
    return f ? Promise.resolve(f) : new Promise((r) => waiters.push(r));
  };
  return {
    socket,
    closed: once(socket, 'close'),
    send: (bufs) => socket.write(Buffer.concat(bufs)),
    next,
    async request<Req, Res>(api: ApiDefinition<Req, Res>, version: number, body: Req): Promise<Res> {
      const id = correlationId++;
      socket.write(
        Buffer.concat(
          encodeFrame((w) => {
            writeRequestHeader(w, { requestApiKey: api.apiKey, requestApiVersion: version, correlationId: id, clientId: 'raw-test' });
            api.encodeRequest(w, version, body);
          }),
        ),
      );
      const r = new Reader(await next());
      const header = readResponseHeader(r, api.apiKey, version);
      if (header.correlationId !== id) throw new Error(`correlation id ${header.correlationId}, expected ${id}`);
      return api.decodeResponse(r, version);
    },
    close: () => socket.destroy(),
  };
}
