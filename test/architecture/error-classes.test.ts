/**
 * Error classes have unique names across protocol/, storage/ and src/ (tests aside), so a
 * name in a log line or a `{ name }` assertion points at one class; and every exported error
 * class is declared in its folder's one error module, `errors.ts` (other files re-export it).
 */
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
const ROOTS = ['protocol', 'storage', 'src'];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'generated') out.push(...sourceFiles(path));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** Every `class X extends Y` in production code, with where it is. */
function classDeclarations(): Array<{ name: string; base: string; where: string }> {
  const found: Array<{ name: string; base: string; where: string }> = [];
  for (const file of ROOTS.flatMap((r) => sourceFiles(join(ROOT, r)))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\bclass (\w+) extends (\w+)/g))
      found.push({ name: m[1]!, base: m[2]!, where: relative(ROOT, file) });
  }
  return found;
}

t.test('every error class has a name of its own', (t) => {
  const classes = classDeclarations();
  // Error classes: those extending Error, and (transitively) those extending one of them.
  const errorNames = new Set(['Error']);
  for (let grew = true; grew;) {
    grew = false;
    for (const c of classes)
      if (errorNames.has(c.base) && !errorNames.has(c.name)) {
        errorNames.add(c.name);
        grew = true;
      }
  }
  const byName = new Map<string, string[]>();
  for (const c of classes.filter((c) => errorNames.has(c.name)))
    byName.set(c.name, [...(byName.get(c.name) ?? []), c.where]);
  t.ok(byName.size >= 30, `found the error classes (${byName.size})`);
  const duplicates = [...byName].filter(([, where]) => where.length > 1);
  t.same(duplicates, [], 'no error class name is declared twice');
  t.end();
});

t.test("exported error classes live in their folder's errors.ts", (t) => {
  const misplaced: string[] = [];
  for (const file of ROOTS.flatMap((r) => sourceFiles(join(ROOT, r)))) {
    if (file.endsWith('/errors.ts')) continue;
    for (const m of readFileSync(file, 'utf8').matchAll(/^export class (\w+Error) extends/gm))
      misplaced.push(`${m[1]!} in ${relative(ROOT, file)}`);
  }
  t.same(misplaced, [], 'no exported error class outside an errors.ts');
  t.end();
});
