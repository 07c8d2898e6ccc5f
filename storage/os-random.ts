/**
 * Random bytes for ids (cluster, incarnation, topic and ACL ids, deleted-log suffixes) straight from the
 * kernel's generator (/dev/urandom, the source node:crypto's own generator is seeded from), so that a
 * start does not load node:crypto (src/common/node-crypto.ts). Where /dev/urandom cannot be opened
 * (Windows), node:crypto's randomBytes. Not for keys, salts or nonces: those use node:crypto directly.
 * In storage/ (the lowest layer) because storage/ uses it too.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';

let urandomMissing = false;

function fromUrandom(size: number): Buffer | null {
  let fd: number;
  try {
    fd = openSync('/dev/urandom', 'r');
  } catch {
    urandomMissing = true;
    return null;
  }
  try {
    const bytes = Buffer.allocUnsafe(size);
    for (let filled = 0; filled < size;) {
      const n = readSync(fd, bytes, filled, size - filled, null);
      if (n <= 0) throw new Error(`/dev/urandom gave ${filled} of ${size} bytes`);
      filled += n;
    }
    return bytes;
  } finally {
    closeSync(fd);
  }
}

export function randomBytes(size: number): Buffer {
  return (
    (urandomMissing ? null : fromUrandom(size)) ??
    (createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto')).randomBytes(size)
  );
}
