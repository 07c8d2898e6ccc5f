/**
 * Module hooks of the tests' TypeScript loader (register.mjs).
 * resolve: a relative `./x.js` import from a project file is `./x.ts` when that file exists (the
 * NodeNext convention the sources follow); anything else, packages included, goes to Node as is.
 * load: a .ts file is transformed by esbuild as tsx does it (target this Node, keepNames, inline
 * source map, the tsconfig's compiler options), the output cached on disk by a hash of the file's
 * path and source (node_modules/.cache/gregor-ts), so a test process mostly reads cached JavaScript.
 */
/* global URL, process */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { transform } from 'esbuild';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CACHE = join(ROOT, 'node_modules', '.cache', 'gregor-ts');
const OPTIONS = {
  loader: 'ts',
  format: 'esm',
  target: `node${process.versions.node}`,
  keepNames: true,
  sourcemap: 'inline',
  tsconfigRaw: readFileSync(join(ROOT, 'tsconfig.json'), 'utf8'),
};
/** Part of every cache key: other options or another esbuild miss the old entries. */
const OPTIONS_KEY =
  JSON.stringify(OPTIONS) + readFileSync(join(ROOT, 'node_modules', 'esbuild', 'package.json'), 'utf8');

/** Whether `url` is a file of this project outside node_modules. */
function isProjectFile(url) {
  return url !== undefined && url.startsWith('file://') && !url.includes('/node_modules/');
}

export async function resolve(specifier, context, nextResolve) {
  if (
    specifier.endsWith('.js') &&
    (specifier.startsWith('./') || specifier.startsWith('../')) &&
    isProjectFile(context.parentURL)
  ) {
    const candidate = new URL(`${specifier.slice(0, -3)}.ts`, context.parentURL);
    if (existsSync(candidate)) return { url: candidate.href, format: 'module', shortCircuit: true };
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file://') || !url.endsWith('.ts') || !isProjectFile(url)) return nextLoad(url, context);
  const path = fileURLToPath(url);
  const source = await readFile(path, 'utf8');
  const key = createHash('sha1').update(OPTIONS_KEY).update(path).update('\0').update(source).digest('hex');
  const cached = join(CACHE, key.slice(0, 2), `${key}.js`);
  try {
    return { format: 'module', source: await readFile(cached, 'utf8'), shortCircuit: true };
  } catch {
    // not cached yet
  }
  const { code } = await transform(source, { ...OPTIONS, sourcefile: pathToFileURL(path).href });
  try {
    mkdirSync(dirname(cached), { recursive: true });
    const temporary = `${cached}.${process.pid}.tmp`;
    writeFileSync(temporary, code);
    renameSync(temporary, cached);
  } catch {
    // a read-only tree: no cache, still correct
  }
  return { format: 'module', source: code, shortCircuit: true };
}
