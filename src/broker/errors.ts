/** The errors of the data path. */

/** Thrown by a coordinator append that may not be made; carries the Kafka error code to answer with. */
export class CoordinatorWriteError extends Error {
  override readonly name = 'CoordinatorWriteError';
  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** ListOffsets v0 asked for a negative number of offsets (Kafka fails the partition with UNKNOWN_SERVER_ERROR). */
export class LegacyOffsetsError extends Error {
  override readonly name = 'LegacyOffsetsError';
}
