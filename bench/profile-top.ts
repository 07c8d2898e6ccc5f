/**
 * Summarises V8 CPU profiles (`node --cpu-prof`, `.cpuprofile` JSON) over every profile given (or every
 * one in a directory): the functions with the most self time, then (BUSY=1) the shares of busy samples
 * only (idle and "(program)" left out) with each function's self and inclusive share (inclusive: the
 * samples with the function anywhere on their stack, each sample counted once per function).
 *   npx tsx bench/profile-top.ts /tmp/gregor-quorum-prof [top=15]
 *   BUSY=1 npx tsx bench/profile-top.ts /tmp/gregor-prof/rf3 25
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
}

const target = process.argv[2] ?? '/tmp/gregor-quorum-prof';
const top = Number(process.argv[3] ?? 15);
const busyOnly = process.env.BUSY === '1';
const files = statSync(target).isDirectory()
  ? readdirSync(target)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => join(target, f))
  : [target];

const NOT_BUSY = new Set(['(idle)', '(program)', '(root)']);
const selfSamples = new Map<string, number>();
const inclusiveSamples = new Map<string, number>();
let total = 0;
const bump = (map: Map<string, number>, name: string): void => void map.set(name, (map.get(name) ?? 0) + 1);

for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const names = new Map<number, string>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    const { functionName, url, lineNumber } = n.callFrame;
    const where = url ? `${basename(url)}:${lineNumber + 1}` : '';
    names.set(n.id, `${functionName || '(anonymous)'}${where ? ` ${where}` : ''}`);
    for (const child of n.children ?? []) parent.set(child, n.id);
  }
  for (const id of profile.samples) {
    const name = names.get(id) ?? '?';
    if (busyOnly && NOT_BUSY.has(name.split(' ')[0]!)) continue;
    bump(selfSamples, name);
    total++;
    if (!busyOnly) continue;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = names.get(at) ?? '?';
      if (seen.has(frame)) continue;
      seen.add(frame);
      bump(inclusiveSamples, frame);
    }
  }
}
const pct = (n: number): string => `${((100 * n) / total).toFixed(1).padStart(5)}%`;
console.log(`${files.length} profiles, ${total} ${busyOnly ? 'busy ' : ''}samples`);
if (busyOnly) console.log('self:');
for (const [name, n] of [...selfSamples].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(n)}  ${name}`);
if (busyOnly) {
  console.log('inclusive:');
  for (const [name, n] of [...inclusiveSamples].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${pct(n)}  ${name}`);
}
