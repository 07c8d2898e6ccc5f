/**
 * Reads of an accepted plain-TCP socket into buffers the caller hands out, as Node's `onread` option
 * does for sockets made with `net.connect` (net.Server offers no such option for the sockets it
 * accepts). With a FrameReader behind it, a 1 MB Produce request is received by the kernel straight
 * into a buffer of the frame's size, instead of arriving as 64 KiB chunks that are then joined: one
 * copy of every produced byte less, and no 64 KiB buffer per read for the garbage collector.
 *
 * It sets on the socket the three fields Node 20's own `onread` support keeps (found by their symbol
 * descriptions, `kBuffer`, `kBufferGen`, `kBufferCb`) and switches the handle to a user buffer, so
 * Node's reading code, pause/resume, end-of-stream and timeouts work as for a net.connect socket.
 * When a field is missing (another Node), it changes nothing and returns false; the caller then
 * reads 'data' events. Bytes the socket had already buffered (it reads before the connection is
 * accepted, while the connection rate gate holds it) are handed to `consume` first, in order.
 * Not for TLS sockets (their reads are decrypted records, not the stream).
 */
import type { Socket } from 'node:net';

export interface UserBufferReader {
  /** The buffer the next read goes into. */
  nextBuffer(): Buffer;
  /** `bytes` were read into the buffer nextBuffer handed out last. */
  onRead(bytes: number): void;
  /** Bytes read before the switch. */
  consume(data: Buffer, at: number, end: number): void;
}

interface SocketHandle {
  useUserBuffer?: (buffer: Uint8Array) => void;
}

function ownSymbol(target: object, description: string): symbol | undefined {
  return Object.getOwnPropertySymbols(target).find((s) => s.description === description);
}

/** Switches `socket` to reading into `reader`'s buffers; false (nothing changed) when this Node does not allow it. */
export function readIntoUserBuffers(socket: Socket, reader: UserBufferReader): boolean {
  const handle = (socket as unknown as { _handle?: SocketHandle | null })._handle;
  const kBuffer = ownSymbol(socket, 'kBuffer');
  const kBufferGen = ownSymbol(socket, 'kBufferGen');
  const kBufferCb = ownSymbol(socket, 'kBufferCb');
  if (!handle || typeof handle.useUserBuffer !== 'function' || !kBuffer || !kBufferGen || !kBufferCb) return false;
  const fields = socket as unknown as Record<symbol, unknown>;
  const first = reader.nextBuffer();
  fields[kBuffer] = first;
  fields[kBufferGen] = (): Buffer => reader.nextBuffer();
  fields[kBufferCb] = (bytes: number): boolean => {
    reader.onRead(bytes);
    return true;
  };
  handle.useUserBuffer(first);
  for (let chunk = socket.read() as Buffer | null; chunk !== null; chunk = socket.read() as Buffer | null) {
    reader.consume(chunk, 0, chunk.length);
  }
  return true;
}
