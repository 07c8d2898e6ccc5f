/**
 * Summarises V8 CPU profiles (`node --cpu-prof`, `.cpuprofile` JSON): the functions with the most self
 * time, as a share of all samples, over every profile given (or every one in a directory).
 *   npx tsx bench/profile-top.ts /tmp/gregor-quorum-prof [top=15]
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
}

const target = process.argv[2] ?? '/tmp/gregor-quorum-prof';
const top = Number(process.argv[3] ?? 15);
const files = statSync(target).isDirectory()
  ? readdirSync(target)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => join(target, f))
  : [target];

const selfSamples = new Map<string, number>();
let total = 0;
for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const names = new Map<number, string>();
  for (const n of profile.nodes) {
    const { functionName, url, lineNumber } = n.callFrame;
    const where = url ? `${basename(url)}:${lineNumber + 1}` : '';
    names.set(n.id, `${functionName || '(anonymous)'}${where ? ` ${where}` : ''}`);
  }
  for (const id of profile.samples) {
    const name = names.get(id) ?? '?';
    selfSamples.set(name, (selfSamples.get(name) ?? 0) + 1);
    total++;
  }
}
console.log(`${files.length} profiles, ${total} samples`);
for (const [name, n] of [...selfSamples].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`${((100 * n) / total).toFixed(1).padStart(5)}%  ${name}`);
