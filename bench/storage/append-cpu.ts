/**
 * The JavaScript cost of one append, without the write: PartitionLog over a file system
 * whose writes do nothing, 16 KiB batches, CRC already checked (the produce path) and
 * rechecked. Prints CPU microseconds (user + system, so other processes on the machine count less) per append. `npx tsx bench/storage/append-cpu.ts`.
 * Leaves out: everything the kernel does (see append.ts for that).
 */
import { PartitionLog } from '../../storage/log.js';
import type { FileHandle } from '../../storage/fs.js';
import { MemoryFileSystem } from '../../storage/memory-fs.js';
import { batch16k, clock, config } from './common.js';

/** Delegates to the in-memory twin but drops the bytes of every write (only the size moves). */
class NullWriteHandle implements FileHandle {
  private length = 0;
  constructor(private readonly inner: FileHandle) {
    this.length = inner.size();
  }
  get path(): string {
    return this.inner.path;
  }
  size(): number {
    return this.length;
  }
  read(buffer: Buffer, offset: number, length: number, position: number): number {
    return this.inner.read(buffer, offset, length, position);
  }
  write(data: Uint8Array, position: number): void {
    this.length = Math.max(this.length, position + data.length);
  }
  truncate(size: number): void {
    this.length = Math.min(this.length, size);
    this.inner.truncate(size);
  }
  sync(): void {}
  close(): void {
    this.inner.close();
  }
}

class NullWriteFileSystem extends MemoryFileSystem {
  override open(path: string, create?: boolean): FileHandle {
    return new NullWriteHandle(super.open(path, create));
  }
}

export function appendCpuMicros(count: number, crcVerified: boolean): number {
  const log = PartitionLog.open({
    fs: new NullWriteFileSystem(),
    dir: '/bench',
    topic: 'bench',
    partition: 0,
    config: config(),
    clock,
    dirState: { path: '/', offline: false },
  });
  const batch = batch16k();
  const start = process.cpuUsage();
  for (let i = 0; i < count; i++) log.append(batch, { leaderEpoch: 0, crcVerified });
  const used = process.cpuUsage(start);
  return (used.user + used.system) / count;
}

/** Median CPU microseconds per append over `rounds` runs (after one warm-up run). */
export function runAppendCpu(rounds = 5): { verified: number; rechecked: number } {
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
  appendCpuMicros(50_000, true);
  appendCpuMicros(5_000, false);
  const verified: number[] = [];
  const rechecked: number[] = [];
  for (let round = 0; round < rounds; round++) {
    verified.push(appendCpuMicros(100_000, true));
    rechecked.push(appendCpuMicros(10_000, false));
  }
  return { verified: median(verified), rechecked: median(rechecked) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (let round = 0; round < 5; round++) {
    console.log(
      `append CPU: ${appendCpuMicros(200_000, true).toFixed(3)} us/batch (CRC checked by caller), ${appendCpuMicros(20_000, false).toFixed(3)} us/batch (rechecking CRC)`,
    );
  }
}
