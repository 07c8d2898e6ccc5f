/**
 * The package's bin (package.json "bin": bin/gregor.cjs) as npm links it: a symlink in another dir,
 * run by its shebang: it finds the bundle next to its real path, and prints what `node bin/gregor.js`
 * (kept as a shim) prints. Needs `npm run build`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: { gregor: string } };

t.test('the bin is bin/gregor.cjs and runs through a symlink, as npm links it', async (t) => {
  t.equal(pkg.bin.gregor, './bin/gregor.cjs');
  const dir = t.testdir();
  const link = join(dir, 'gregor');
  symlinkSync(join(ROOT, pkg.bin.gregor), link);
  const usage = execFileSync(link, ['start', '--help'], { encoding: 'utf8', timeout: 30_000 });
  t.match(usage, /^usage: gregor start /);
  const viaShim = execFileSync(process.execPath, [join(ROOT, 'bin/gregor.js'), 'start', '--help'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  t.equal(viaShim, usage, 'bin/gregor.js prints the same');
});
