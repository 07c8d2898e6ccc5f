/**
 * Typed errors raised by the wire-format layer. Decoders never throw RangeError:
 * every length is checked first and a ProtocolDecodeError is raised instead.
 */
export class ProtocolDecodeError extends Error {
  override readonly name = 'ProtocolDecodeError';
  constructor(message: string) {
    super(message);
  }
}

/** Raised when a message cannot be encoded in the requested version. */
export class ProtocolEncodeError extends Error {
  override readonly name = 'ProtocolEncodeError';
  constructor(message: string) {
    super(message);
  }
}
