/**
 * The active controller's latest state: the committed image plus the records it has proposed
 * through Raft that are not applied yet, as Kafka's QuorumController validates every operation
 * against its in-memory state (timeline data structures) that already holds the earlier
 * operations' uncommitted records. Leadership and ISR decisions (AlterPartition, fencings,
 * unfencings, controlled shutdowns, unregistrations) read it, so each sees the ones before it:
 * a broker whose fencing is in flight cannot be put back into an ISR, and an ISR change computed
 * from a partition epoch that a pending record has moved on is refused (INVALID_UPDATE_VERSION).
 * The controller's other commands (topic creation and deletion, CreatePartitions, configs) read it
 * too: a name being created is TOPIC_ALREADY_EXISTS, an increase in flight is seen by the next.
 * Proposals are kept by their Raft offsets; the copy is built only when asked for while some are
 * in flight (the committed image is returned when none are), and dropped when one fails, when a
 * record this node did not propose is applied (an earlier leader's entries), or on a new image.
 * Leaves out: a newly elected leader's entries of earlier epochs not applied yet (Kafka's controller waits for
 * them before it acts; Gregor's is active as soon as it leads).
 */
import { imageToRecords } from './image-records.js';
import { MetadataImage } from './image.js';
import type { MetadataRecord } from './records.js';

interface Proposal {
  readonly firstOffset: number;
  readonly records: readonly MetadataRecord[];
}

export class UncommittedImage {
  private proposals: Proposal[] = [];
  private copy: MetadataImage | null = null;

  /** Records proposed at offsets [firstOffset, firstOffset + records.length); returns what `settled` takes. */
  proposed(firstOffset: number, records: readonly MetadataRecord[]): Proposal {
    const proposal = { firstOffset, records };
    this.proposals.push(proposal);
    if (this.copy) records.forEach((r, i) => this.copy?.apply(r, firstOffset + i));
    return proposal;
  }

  /** A proposal committed (applied already) or failed (it may never be applied: start over). */
  settled(proposal: Proposal, committed: boolean): void {
    this.proposals = this.proposals.filter((p) => p !== proposal);
    if (!committed) this.copy = null;
  }

  /** A committed record was applied at `offset`: one not proposed here makes the copy stale. */
  applied(offset: number): void {
    if (this.proposals.length === 0) return;
    if (!this.proposals.some((p) => offset >= p.firstOffset && offset < p.firstOffset + p.records.length))
      this.copy = null;
  }

  /** The committed image was replaced or reset. */
  reset(): void {
    this.proposals = [];
    this.copy = null;
  }

  /** `committed` plus the proposals not applied to it yet. */
  latest(committed: MetadataImage): MetadataImage {
    const applied = committed.lastAppliedOffset;
    this.proposals = this.proposals.filter((p) => p.firstOffset + p.records.length - 1 > applied);
    if (this.proposals.length === 0) {
      this.copy = null;
      return committed;
    }
    if (!this.copy) {
      const copy = new MetadataImage();
      for (const record of imageToRecords(committed)) copy.apply(record, applied);
      for (const p of this.proposals)
        p.records.forEach((r, i) => {
          if (p.firstOffset + i > applied) copy.apply(r, p.firstOffset + i);
        });
      this.copy = copy;
    }
    return this.copy;
  }
}
