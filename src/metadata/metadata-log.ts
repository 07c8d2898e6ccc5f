/**
 * The controller's record store port. On a broker the records live in the Raft log
 * (src/controller/), which applies committed entries to the controller; this in-memory
 * store serves unit tests of the controller's commands without a quorum.
 */

export interface MetadataLogStore {
  /** Every entry from the start, in order; stops at the first bad one. */
  replay(): Buffer[];
  /** Appends entries durably. */
  append(entries: Buffer[]): void;
  close(): void;
}

/** An in-memory store, for tests and the embedded broker's ephemeral mode. */
export class MemoryMetadataLog implements MetadataLogStore {
  readonly entries: Buffer[] = [];
  replay(): Buffer[] {
    return [...this.entries];
  }
  append(entries: Buffer[]): void {
    this.entries.push(...entries);
  }
  close(): void {}
}
