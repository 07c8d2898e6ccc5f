/**
 * The content of one in-memory file as 1 MiB pages: appending never copies what is already
 * stored (a single growing Buffer copies it at each doubling), and a long log's memory is
 * released page by page when its file is truncated or dropped. The first page starts small
 * and doubles, so the many tiny files of a log (indexes, checkpoints) stay tiny.
 */
export const PAGE_BYTES = 1024 * 1024;

export class PagedBytes {
  private pages: Buffer[] = [];
  length = 0;

  static from(content: Buffer): PagedBytes {
    const bytes = new PagedBytes();
    bytes.write(content, 0);
    return bytes;
  }

  /** Copies [position, end) into `target` at `offset`; returns the bytes copied. */
  copyTo(target: Buffer, offset: number, position: number, end: number): number {
    const stop = Math.min(end, this.length);
    let at = position;
    while (at < stop) {
      const page = this.pages[Math.floor(at / PAGE_BYTES)]!;
      const within = at % PAGE_BYTES;
      const n = Math.min(stop - at, PAGE_BYTES - within);
      page.copy(target, offset + (at - position), within, within + n);
      at += n;
    }
    return Math.max(0, stop - position);
  }

  /** A copy of [start, end). */
  slice(start: number, end: number): Buffer {
    const out = Buffer.allocUnsafe(Math.max(0, Math.min(end, this.length) - start));
    this.copyTo(out, 0, start, start + out.length);
    return out;
  }

  /** Writes at `position`, zero-filling any gap after the current end. */
  write(bytes: Uint8Array, position: number): void {
    if (position > this.length) this.put(Buffer.alloc(position - this.length), this.length);
    this.put(bytes, position);
  }

  private put(bytes: Uint8Array, position: number): void {
    let done = 0;
    while (done < bytes.length) {
      const at = position + done;
      const index = Math.floor(at / PAGE_BYTES);
      const within = at % PAGE_BYTES;
      const n = Math.min(bytes.length - done, PAGE_BYTES - within);
      const page = this.pageFor(index, within + n);
      page.set(bytes.subarray(done, done + n), within);
      done += n;
    }
    this.length = Math.max(this.length, position + bytes.length);
  }

  /** Page `index` with room for `needed` bytes; only the first page grows by doubling. */
  private pageFor(index: number, needed: number): Buffer {
    const current = this.pages[index];
    if (current !== undefined && current.length >= needed) return current;
    const capacity = index === 0 ? Math.min(PAGE_BYTES, Math.max(needed, (current?.length ?? 0) * 2, 64)) : PAGE_BYTES;
    const page = Buffer.allocUnsafe(capacity);
    if (current !== undefined) current.copy(page, 0, 0, current.length);
    for (let i = this.pages.length; i < index; i++) this.pages.push(Buffer.alloc(PAGE_BYTES));
    this.pages[index] = page;
    return page;
  }

  /** Shortens to `size` (never grows: write zeros for that), releasing whole pages past it. */
  truncate(size: number): void {
    if (size >= this.length) return;
    this.length = size;
    this.pages.length = Math.ceil(size / PAGE_BYTES);
  }
}
