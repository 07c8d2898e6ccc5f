import { spawnSync } from 'node:child_process';
import t from 'tap';
import { currentOpenFileLimit, logFileCacheSize, parseOpenFileLimit } from './open-files.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 4096                 files
Max locked memory         8388608              8388608              bytes
`;

t.test('parses the open-files line of /proc/<pid>/limits', async (t) => {
  t.same(parseOpenFileLimit(LIMITS), { soft: 1024, hard: 4096 });
  t.same(parseOpenFileLimit('Max open files            unlimited            unlimited            files'), {
    soft: Number.MAX_SAFE_INTEGER,
    hard: Number.MAX_SAFE_INTEGER,
  });
  t.equal(parseOpenFileLimit('nothing here'), null);
});

t.test('the log file cache takes half the soft limit, within bounds', async (t) => {
  t.equal(logFileCacheSize(1024), 512);
  t.equal(logFileCacheSize(128), 64);
  t.equal(logFileCacheSize(20), 32, 'at least 32');
  t.equal(logFileCacheSize(Number.MAX_SAFE_INTEGER), 65_536, 'at most 65,536');
});

t.test(
  'Node raises the soft limit to the hard limit itself (no setrlimit needed)',
  { skip: process.platform !== 'linux' && 'needs /proc' },
  async (t) => {
    t.ok(currentOpenFileLimit(), 'this process can read its limit');
    const script = `console.log(JSON.stringify(require('fs').readFileSync('/proc/self/limits', 'utf8').match(/^Max open files\\s+(\\S+)\\s+(\\S+)/m).slice(1)))`;
    const run = spawnSync(
      'bash',
      ['-c', `ulimit -Sn 64 && ulimit -Hn 512 && exec '${process.execPath}' -e "${script}"`],
      { encoding: 'utf8' },
    );
    t.equal(run.status, 0, run.stderr);
    t.same(
      JSON.parse(run.stdout) as string[],
      ['512', '512'],
      'a soft limit of 64 under a hard 512 is 512 inside Node',
    );
  },
);
