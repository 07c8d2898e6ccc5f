/**
 * When each request read from one connection may start. Gregor runs a connection's pipelined
 * requests at once (their answers still leave in request order, connection.ts), where Kafka reads
 * a connection's next request only once the previous one has been answered (SocketServer mutes
 * the channel per request). For most requests the difference cannot be seen. For the two that the
 * group coordinator holds until a rebalance step completes, JoinGroup and SyncGroup, it can: a
 * member's second JoinGroup, pipelined behind its first (kafkajs sends one from each fetch loop
 * when a topic gains partitions), would reach the group while the first still waits there and
 * supersede it (UNKNOWN_MEMBER_ID, and the client joins again as a new member). So these two run
 * as Kafka runs every request: once every earlier request of the connection has settled, and the
 * requests read after one of them start only once it has settled.
 */

const JOIN_GROUP = 11;
const SYNC_GROUP = 14;

/** The API key of a request frame (size prefix already taken off), -1 when too short to say. */
export function apiKeyOf(frame: Buffer): number {
  return frame.length >= 2 ? frame.readInt16BE(0) : -1;
}

/** Requests that run alone on their connection, as every request does on Kafka's. */
export function runsAlone(frame: Buffer): boolean {
  const key = apiKeyOf(frame);
  return key === JOIN_GROUP || key === SYNC_GROUP;
}

export class RequestOrder {
  /** The last request that runs alone, until it settles: requests read after it start after it. */
  private barrier: Promise<unknown> | null = null;

  /**
   * Starts `run` for `frame` now or when the order allows. `earlier` lists the promises of the
   * connection's requests read before this one and not yet answered (asked only for one that runs alone).
   */
  start<T>(frame: Buffer, earlier: () => readonly Promise<unknown>[], run: () => Promise<T>): Promise<T> {
    if (runsAlone(frame)) {
      const before = earlier();
      const promise = before.length === 0 ? run() : Promise.allSettled(before).then(run);
      this.barrier = promise;
      const clear = (): void => {
        if (this.barrier === promise) this.barrier = null;
      };
      promise.then(clear, clear);
      return promise;
    }
    if (this.barrier === null) return run();
    return this.barrier.then(run, run);
  }
}
