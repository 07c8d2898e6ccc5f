/**
 * One partition's Produce pipeline, as the Java producer's per-connection in-flight requests
 * (max.in.flight.requests.per.connection, 5): a partition's batches are written to the socket in the
 * order they entered the lane, up to `maxInFlight` of them unanswered at once. A batch's first request
 * goes out once the previous batch's has; when it fails while an earlier batch is still unanswered,
 * it waits for that one to settle before it is tried again, so retries go one at a time, in order
 * (an idempotent producer's later batch is answered OUT_OF_ORDER_SEQUENCE_NUMBER when an earlier one
 * was not written: it is sent again once the earlier one is).
 */

/** What a batch's sending learns from its lane. */
export interface LaneTurn {
  /** Call right after the batch's request is written (lets the next batch write its own). */
  written(): void;
  /** Whether the batch before this one in the lane was still unanswered. */
  predecessorOpen(): boolean;
  /** Resolves once the batch before this one settled: true when it was delivered. */
  predecessorSettled(): Promise<boolean>;
}

export class SendLane {
  private lastWritten: Promise<void> = Promise.resolve();
  private lastSettled: Promise<boolean> = Promise.resolve(true);
  private open = 0;
  private readonly waitingForRoom: Array<() => void> = [];

  constructor(private readonly maxInFlight: number) {}

  /**
   * Sends one batch in its turn: `send` is called once the previous batch was written and a slot is
   * free; it must call `turn.written()` right after writing its request. Entered in call order.
   */
  async run<T>(send: (turn: LaneTurn) => Promise<T>): Promise<T> {
    const previousWritten = this.lastWritten;
    const previousSettled = this.lastSettled;
    let markWritten!: () => void;
    let markSettled!: (delivered: boolean) => void;
    this.lastWritten = new Promise<void>((resolve) => (markWritten = resolve));
    this.lastSettled = new Promise<boolean>((resolve) => (markSettled = resolve));
    let predecessorDone = false;
    void previousSettled.then(() => (predecessorDone = true));
    await previousWritten;
    await this.room();
    this.open++;
    const turn: LaneTurn = {
      written: markWritten,
      predecessorOpen: () => !predecessorDone,
      predecessorSettled: () => previousSettled,
    };
    try {
      const result = await send(turn);
      markSettled(true);
      return result;
    } catch (err) {
      markSettled(false);
      throw err;
    } finally {
      markWritten();
      this.open--;
      this.waitingForRoom.shift()?.();
    }
  }

  private async room(): Promise<void> {
    while (this.open >= this.maxInFlight) await new Promise<void>((resolve) => this.waitingForRoom.push(resolve));
  }
}
