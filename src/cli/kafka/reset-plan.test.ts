import t from 'tap';
import { exportCsv, parseJavaDuration, parseResetPlan } from './reset-plan.js';

t.test('java.time.Duration texts', async (t) => {
  const cases: Array<[string, number | null]> = [
    ['PT1H', 3_600_000],
    ['pt2h30m', 9_000_000],
    ['P1D', 86_400_000],
    ['P1DT1S', 86_401_000],
    ['PT0.5S', 500],
    ['PT1,25S', 1_250],
    ['-PT5M', -300_000],
    ['PT-6H3M', -21_420_000],
    ['PT-1.5S', -1_500],
    ['P', null],
    ['PT', null],
    ['P1DT', null],
    ['2h', null],
    ['PT1H2D', null],
    ['P1Y', null],
    ['', null],
  ];
  for (const [text, ms] of cases) t.equal(parseJavaDuration(text), ms, text);
});

t.test('the CSV of --export and --from-file', async (t) => {
  const rows = [
    { group: 'g', topic: 't', partition: 0, offset: '5' },
    { group: 'a,"b"', topic: 't', partition: 1, offset: '7' },
  ];
  t.equal(exportCsv(rows.slice(0, 1), true), 't,0,5\n');
  const both = exportCsv(rows, false);
  t.equal(both, 'g,t,0,5\n"a,""b""",t,1,7\n', 'a group with a comma and quotes is quoted');
  t.same(
    [...parseResetPlan(both, ['g', 'a,"b"'])],
    [
      ['g', [rows[0]]],
      ['a,"b"', [rows[1]]],
    ],
    'read back',
  );
  t.same(
    [...parseResetPlan('t,0,5\r\n\nt,1,6\n', ['g'])],
    [
      [
        'g',
        [
          { group: 'g', topic: 't', partition: 0, offset: '5' },
          { group: 'g', topic: 't', partition: 1, offset: '6' },
        ],
      ],
    ],
  );
  t.throws(() => parseResetPlan('t,x,5\n', ['g', 'h']), /expected group,topic,partition,offset/);
  t.throws(() => parseResetPlan('g,t,0\n', ['g', 'h']), /Cannot read the reset plan line/);
});
