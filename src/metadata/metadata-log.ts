/**
 * The local metadata log: the same records the Raft quorum will replicate, kept in one
 * append-only file under `<metadata.log.dir>/__cluster_metadata-0/`. Each entry is
 * int32 length, uint32 CRC-32C, then the framed record. Opening replays it and truncates
 * a torn or corrupt tail; appends are fsynced before they are applied.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, existsSync, ftruncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32c } from '@node-rs/crc32';

export interface MetadataLogStore {
  /** Every entry from the start, in order; stops at the first bad one. */
  replay(): Buffer[];
  /** Appends entries durably. */
  append(entries: Buffer[]): void;
  close(): void;
}

export class FileMetadataLog implements MetadataLogStore {
  private fd: number;
  private size: number;

  constructor(dir: string) {
    const logDir = join(dir, '__cluster_metadata-0');
    mkdirSync(logDir, { recursive: true });
    const path = join(logDir, 'metadata.log');
    const existed = existsSync(path);
    this.fd = openSync(path, existed ? 'r+' : 'w+');
    this.size = 0;
    if (existed) this.size = readFileSync(path).length;
  }

  replay(): Buffer[] {
    const data = readFileSync(this.fd);
    const out: Buffer[] = [];
    let pos = 0;
    while (pos + 8 <= data.length) {
      const length = data.readInt32BE(pos);
      if (length < 0 || pos + 8 + length > data.length) break;
      const body = data.subarray(pos + 8, pos + 8 + length);
      if (crc32c(body) >>> 0 !== data.readUInt32BE(pos + 4)) break;
      out.push(Buffer.from(body));
      pos += 8 + length;
    }
    if (pos !== data.length) ftruncateSync(this.fd, pos);
    this.size = pos;
    return out;
  }

  append(entries: Buffer[]): void {
    if (entries.length === 0) return;
    const frames: Buffer[] = [];
    for (const entry of entries) {
      const head = Buffer.allocUnsafe(8);
      head.writeInt32BE(entry.length, 0);
      head.writeUInt32BE(crc32c(entry) >>> 0, 4);
      frames.push(head, entry);
    }
    const all = Buffer.concat(frames);
    writeSync(this.fd, all, 0, all.length, this.size);
    fsyncSync(this.fd);
    this.size += all.length;
  }

  close(): void {
    closeSync(this.fd);
  }
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
