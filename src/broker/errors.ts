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
