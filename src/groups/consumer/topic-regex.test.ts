/** The RE2/J-like topic regex: validation, translation, whole-name matching. */
import t from 'tap';
import { compileTopicRegex, topicMatches } from './topic-regex.js';

const valid = (re: string): boolean => compileTopicRegex(re).ok;

t.test("invalid in RE2 is invalid here, with Kafka's message shape", async (t) => {
  for (const re of [
    'orders-(',
    '[a-',
    '*x',
    'a{2',
    'a\\',
    '(?=x)y',
    '(?!x)y',
    '(?<=x)y',
    '(?<!x)y',
    '(a)\\1',
    '(?<n>a)\\k<n>',
    'a\\Z',
    '[[:nope:]]',
    '\\_',
  ]) {
    const r = compileTopicRegex(re);
    t.notOk(r.ok, `${re} refused`);
    if (!r.ok) t.match(r.message, /^SubscribedTopicRegex `.*` is not a valid regular expression: .+\.$/);
  }
  const flag = compileTopicRegex('a(?i)b');
  t.notOk(flag.ok);
  if (!flag.ok) t.match(flag.message, /not supported by Gregor/, 'a mid-pattern flag is refused, and says why');
});

t.test('RE2 syntax is translated and the match covers the whole name', async (t) => {
  t.ok(valid('orders-.*'));
  t.ok(topicMatches('orders-.*', 'orders-eu'));
  t.notOk(topicMatches('orders', 'orders-eu'), 'whole name, not a substring');
  t.notOk(topicMatches('orders-.*', 'x-orders-eu'));
  t.ok(topicMatches('(?i)ORDERS', 'orders'), 'leading (?i)');
  t.ok(topicMatches('(?P<region>eu|us)-orders', 'us-orders'), '(?P<name>) groups');
  t.ok(topicMatches('\\Aa.b\\z', 'a.b'));
  t.ok(topicMatches('\\Qa.b\\E', 'a.b'), '\\Q...\\E quotes');
  t.notOk(topicMatches('\\Qa.b\\E', 'axb'));
  t.ok(topicMatches('[[:digit:]]+', '123'), 'POSIX class');
  t.ok(topicMatches('t[_[:alpha:]]+', 't_abc'), 'POSIX class inside a bracket');
  t.ok(topicMatches('a|b', 'b'), 'alternation inside the anchors');
  t.ok(topicMatches('.*', 'anything'));
  t.notOk(topicMatches('.*', '__consumer_offsets'), 'internal topics never match');
  t.notOk(topicMatches('', 'x'), 'empty regex: none');
  t.notOk(topicMatches('bad(', 'bad('), 'an invalid regex matches nothing');
});
