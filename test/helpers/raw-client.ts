/**
 * Test helper: a raw Kafka client on one socket. Sends frames built with the generated
 * codecs and hands back whole response frames in arrival order; `call` does one typed
 * round trip. No retries, no metadata: the test says exactly what goes on the wire.
 */
import { Socket } from 'node:net';
import { once } from 'node:events';
import { encodeFrame, readResponseHeader, writeRequestHeader } from '../../protocol/frame.js';
import { Reader } from '../../protocol/primitives/index.js';
import type { ApiDefinition } from '../../protocol/generated/api-definition.js';

export interface RawClient {
  socket: Socket;
  closed: Promise<unknown>;
  send(frames: Buffer[]): void;
  /** The next whole response frame (without its size prefix). */
  next(): Promise<Buffer>;
  /** Sends one request and decodes its response (fails if the correlation id differs). */
  call<Req, Res>(api: ApiDefinition<Req, Res>, version: number, request: Req): Promise<Res>;
  /** Encodes one request frame without sending it. */
  frame<Req, Res>(api: ApiDefinition<Req, Res>, version: number, request: Req, correlationId: number): Buffer[];
  close(): void;
}

export async function rawClient(port: number, clientId = 'raw-test'): Promise<RawClient> {
  const socket = new Socket();
  socket.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let pending = Buffer.alloc(0);
  const frames: Buffer[] = [];
  const waiters: Array<{ resolve: (b: Buffer) => void; reject: (e: Error) => void }> = [];
  // A connection the broker closes (or resets) fails the waiting calls instead of leaving them hanging.
  let closedError: Error | null = null;
  const failWaiters = (e: Error): void => {
    closedError ??= e;
    for (const w of waiters.splice(0)) w.reject(closedError);
  };
  socket.on('error', (e) => failWaiters(e));
  socket.on('close', () => failWaiters(new Error('connection closed by the broker')));
  socket.on('data', (d: Buffer) => {
    pending = Buffer.concat([pending, d]);
    while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
      const f = pending.subarray(4, 4 + pending.readInt32BE(0));
      pending = pending.subarray(4 + f.length);
      const w = waiters.shift();
      if (w) w.resolve(f);
      else frames.push(f);
    }
  });
  let correlation = 1000;
  const client: RawClient = {
    socket,
    closed: once(socket, 'close').catch(() => undefined),
    send: (bufs) => socket.write(Buffer.concat(bufs)),
    next: () => {
      const f = frames.shift();
      if (f) return Promise.resolve(f);
      if (closedError) return Promise.reject(closedError);
      return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
    },
    frame: (api, version, request, correlationId) =>
      encodeFrame((w) => {
        writeRequestHeader(w, {
          requestApiKey: api.apiKey,
          requestApiVersion: version,
          correlationId,
          clientId,
        });
        api.encodeRequest(w, version, request);
      }),
    async call(api, version, request) {
      const id = correlation++;
      client.send(client.frame(api, version, request, id));
      const r = new Reader(await client.next());
      const header = readResponseHeader(r, api.apiKey, version);
      if (header.correlationId !== id) throw new Error(`correlation id ${header.correlationId}, expected ${id}`);
      return api.decodeResponse(r, version);
    },
    close: () => socket.destroy(),
  };
  return client;
}
