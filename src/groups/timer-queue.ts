/**
 * Named deadlines for the coordinator: schedule(key, at, fire) replaces any deadline
 * of the same key; poll(now) fires every due one in deadline order; nextDeadline()
 * tells the driver when to poll next. A binary min-heap with lazy deletion (a
 * cancelled or replaced entry stays in the heap and is skipped when it surfaces).
 * No clock here: time is whatever the caller passes.
 */
interface Entry {
  key: string;
  at: number;
  seq: number;
  fire: (now: number) => void;
}

export class TimerQueue {
  private heap: Entry[] = [];
  private live = new Map<string, Entry>();
  private seq = 0;

  get size(): number {
    return this.live.size;
  }

  schedule(key: string, at: number, fire: (now: number) => void): void {
    const entry: Entry = { key, at, seq: this.seq++, fire };
    this.live.set(key, entry);
    this.push(entry);
  }

  cancel(key: string): void {
    this.live.delete(key);
  }

  has(key: string): boolean {
    return this.live.has(key);
  }

  deadlineOf(key: string): number | undefined {
    return this.live.get(key)?.at;
  }

  /** The earliest live deadline, or null when nothing is scheduled. */
  nextDeadline(): number | null {
    this.dropStale();
    return this.heap.length > 0 ? this.heap[0]!.at : null;
  }

  /** Fires every deadline at or before `now`, earliest first; returns how many fired. */
  poll(now: number): number {
    let fired = 0;
    for (;;) {
      this.dropStale();
      const top = this.heap[0];
      if (top === undefined || top.at > now) return fired;
      this.pop();
      this.live.delete(top.key);
      fired++;
      top.fire(now);
    }
  }

  private dropStale(): void {
    while (this.heap.length > 0 && this.live.get(this.heap[0]!.key) !== this.heap[0]) this.pop();
  }

  private less(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(entry: Entry): void {
    const h = this.heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}
