import t from 'tap';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeDirsSync } from './make-dirs.js';

t.test('makes missing parents and leaves existing dirs alone', async (t) => {
  const root = t.testdir();
  const deep = join(root, 'a', 'b', 'c');
  makeDirsSync(deep);
  t.ok(statSync(deep).isDirectory());
  makeDirsSync(deep);
  makeDirsSync(root);
  t.ok(existsSync(join(root, 'a', 'b')));
});

t.test('a file on the path: ENOTDIR, not a loop', async (t) => {
  const root = t.testdir();
  writeFileSync(join(root, 'file'), 'x');
  t.throws(() => makeDirsSync(join(root, 'file', 'data')), { code: 'ENOTDIR' });
  t.throws(() => makeDirsSync(join(root, 'file')), { code: 'EEXIST' });
});

t.test(
  'a parent that refuses children with ENOENT (/proc): throws at once',
  { skip: !existsSync('/proc/self') && 'no /proc' },
  async (t) => {
    const started = Date.now();
    t.throws(() => makeDirsSync('/proc/gregor-x/y'), { code: 'ENOENT', path: '/proc/gregor-x' });
    t.ok(Date.now() - started < 1000, 'no retry loop');
  },
);
