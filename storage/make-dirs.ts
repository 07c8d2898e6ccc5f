/**
 * Creates a directory and its missing parents, one level at a time.
 *
 * Node's `mkdirSync(path, { recursive: true })` loops forever when a parent exists but refuses
 * children with ENOENT (`/proc/x`, some FUSE and overlay mounts): it creates the parent, gets
 * EEXIST, retries the child and gets ENOENT again. Here each missing level is made once, so any
 * refusal surfaces as the system error it is (ENOENT, EACCES, EROFS, ENOTDIR).
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Makes `path` (and missing parents) a directory; throws the first system error met. */
export function makeDirsSync(path: string): void {
  const missing: string[] = [];
  const target = resolve(path);
  let dir = target;
  while (!existsSync(dir)) {
    missing.push(dir);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const level of missing.reverse()) {
    try {
      mkdirSync(level);
    } catch (error) {
      // Another process may have made it between the check and here.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && statSync(level).isDirectory()) continue;
      throw error;
    }
  }
  // A file where the dir should be: let mkdir raise its own EEXIST, as the recursive form does.
  if (!statSync(target).isDirectory()) mkdirSync(target);
}
