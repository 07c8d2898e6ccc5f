/** The wire-format layer: primitives, generated codecs, framing and records. */
export * from './primitives/index.js';
export * from './frame.js';
export { ErrorCode, ERROR_INFO, type ErrorCodeName } from './generated/error-codes.js';
export { ALL_APIS, API_BY_KEY } from './generated/api-table.js';
export type { ApiDefinition } from './generated/api-definition.js';
