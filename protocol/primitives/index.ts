export { Reader } from './reader.js';
export { Writer } from './writer.js';
export { ProtocolDecodeError, ProtocolEncodeError } from './errors.js';
export { ZERO_UUID, uuidFromBytes, uuidToBytes, randomUuid } from './uuid.js';
export * from './codec-helpers.js';
