/**
 * A pipelined raw Kafka client for the group benchmarks: one socket, any number of
 * requests in flight, each answered by correlation id (the broker answers in request
 * order). Requests are built with the generated codecs. No retries, no metadata, no
 * reconnects: a closed socket fails every pending call.
 */
import { Socket } from 'node:net';
import { once } from 'node:events';
import { encodeFrame, readResponseHeader, writeRequestHeader } from '../../protocol/frame.js';
import { Reader } from '../../protocol/primitives/index.js';
import type { ApiDefinition } from '../../protocol/generated/api-definition.js';

interface Pending {
  decode(frame: Reader): void;
  fail(error: Error): void;
}

export class PipelinedClient {
  private buffered: Buffer = Buffer.alloc(0);
  private readonly pending = new Map<number, Pending>();
  private nextCorrelation = 1;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('close', () => {
      for (const p of this.pending.values()) p.fail(new Error('connection closed'));
      this.pending.clear();
    });
    socket.on('error', () => undefined);
  }

  static async connect(port: number, host = '127.0.0.1'): Promise<PipelinedClient> {
    const socket = new Socket();
    socket.connect(port, host);
    await once(socket, 'connect');
    return new PipelinedClient(socket);
  }

  get inFlight(): number {
    return this.pending.size;
  }

  call<Req, Res>(api: ApiDefinition<Req, Res>, version: number, request: Req): Promise<Res> {
    return this.callEncoded(api, version, PipelinedClient.encode(api, version, request));
  }

  /** Encodes a request once, to be sent many times with `callEncoded` (only the correlation id changes). */
  static encode<Req, Res>(api: ApiDefinition<Req, Res>, version: number, request: Req): Buffer {
    return Buffer.concat(
      encodeFrame((w) => {
        writeRequestHeader(w, {
          requestApiKey: api.apiKey,
          requestApiVersion: version,
          correlationId: 0,
          clientId: 'bench',
        });
        api.encodeRequest(w, version, request);
      }),
    );
  }

  /** Sends a copy of a frame from `encode` under a fresh correlation id (bytes 8-11: after size, key, version). */
  callEncoded<Req, Res>(api: ApiDefinition<Req, Res>, version: number, frame: Buffer): Promise<Res> {
    const correlationId = this.nextCorrelation++;
    const copy = Buffer.from(frame);
    copy.writeInt32BE(correlationId, 8);
    return new Promise<Res>((resolve, reject) => {
      this.pending.set(correlationId, {
        decode: (r) => {
          try {
            readResponseHeader(r, api.apiKey, version);
            resolve(api.decodeResponse(r, version));
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        },
        fail: reject,
      });
      this.socket.write(copy);
    });
  }

  /** Holds writes until `uncork` sends them in one go (a tick's requests share one write, as a pipelining client's do). */
  cork(): void {
    this.socket.cork();
  }

  uncork(): void {
    this.socket.uncork();
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(data: Buffer): void {
    this.buffered = this.buffered.length === 0 ? data : Buffer.concat([this.buffered, data]);
    while (this.buffered.length >= 4) {
      const size = this.buffered.readInt32BE(0);
      if (this.buffered.length < 4 + size) return;
      const frame = this.buffered.subarray(4, 4 + size);
      this.buffered = this.buffered.subarray(4 + size);
      // Peek the correlation id (first field of every response header) to find the caller.
      const correlationId = frame.readInt32BE(0);
      const waiting = this.pending.get(correlationId);
      if (!waiting) continue;
      this.pending.delete(correlationId);
      waiting.decode(new Reader(frame));
    }
  }
}
