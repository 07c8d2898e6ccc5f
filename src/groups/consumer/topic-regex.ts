/**
 * KIP-848 regular-expression subscriptions (ConsumerGroupHeartbeat v1 SubscribedTopicRegex).
 *
 * Kafka compiles the expression with RE2/J and subscribes a member to every topic whose whole
 * name matches it. JavaScript's RegExp is a backtracking engine with a different syntax, so the
 * expression is checked and translated, as far as the two agree:
 *
 * - compiled with the `u` flag, so unknown escapes and stray brackets are errors, as in RE2;
 * - refused as RE2 refuses them: back-references (`\1`, `\k<name>`), look-ahead and look-behind
 *   (`(?=`, `(?!`, `(?<=`, `(?<!`);
 * - translated: RE2's `(?P<name>` groups, leading flag groups `(?i)`, `(?s)`, `(?m)` (as JS flags),
 *   `\A` and `\z` (start and end of text), `\Q...\E` literal text, POSIX classes `[[:alpha:]]` etc.;
 * - not supported and refused with a message saying so: flag groups elsewhere than at the start
 *   (`a(?i)b`, `(?i:...)`), and RE2's ungreedy flag `(?U)`.
 *
 * The match is anchored at both ends (Java's `Matcher.matches()`). Internal topics
 * (`__consumer_offsets`, `__transaction_state`) are never matched, as consumers exclude them
 * from pattern subscriptions by default. An empty expression means "no regex".
 */

export type CompiledTopicRegex = { ok: true; regex: RegExp } | { ok: false; message: string };

const POSIX_CLASSES: ReadonlyMap<string, string> = new Map([
  ['alnum', '0-9A-Za-z'],
  ['alpha', 'A-Za-z'],
  ['ascii', '\\x00-\\x7F'],
  ['blank', '\\t '],
  ['cntrl', '\\x00-\\x1F\\x7F'],
  ['digit', '0-9'],
  ['graph', '!-~'],
  ['lower', 'a-z'],
  ['print', ' -~'],
  ['punct', '!-\\/:-@\\[-`{-~'],
  ['space', '\\t\\n\\v\\f\\r '],
  ['upper', 'A-Z'],
  ['word', '0-9A-Za-z_'],
  ['xdigit', '0-9A-Fa-f'],
]);

function escapeLiteral(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, (c) => `\\${c}`);
}

/** Translates RE2 syntax into a JS source and flags, or says why it cannot. */
function translate(expression: string): { source: string; flags: string } | string {
  let rest = expression;
  let flags = '';
  // leading flag groups: (?i), (?s), (?m), combinations, repeated
  for (let m = /^\(\?([a-zA-Z]+)\)/.exec(rest); m; m = /^\(\?([a-zA-Z]+)\)/.exec(rest)) {
    for (const f of m[1]!) {
      if (f === 'i' || f === 's' || f === 'm') {
        if (!flags.includes(f)) flags += f;
      } else if (f === 'U') return 'the ungreedy flag (?U) is not supported by Gregor';
      else return `invalid or unsupported Perl syntax: \`(?${m[1]!}\``;
    }
    rest = rest.slice(m[0].length);
  }
  let out = '';
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i]!;
    if (c === '\\') {
      const next = rest[i + 1];
      if (next === undefined) return 'trailing backslash at end of expression';
      if (next === 'Q') {
        const end = rest.indexOf('\\E', i + 2);
        const literal = end < 0 ? rest.slice(i + 2) : rest.slice(i + 2, end);
        out += escapeLiteral(literal);
        i = end < 0 ? rest.length : end + 1;
        continue;
      }
      if (/[1-9]/.test(next) || next === 'k')
        return `invalid escape sequence: \`\\${next}\` (back-references are not supported)`;
      if (next === 'A') out += '^';
      else if (next === 'z') out += '$';
      else if (next === 'Z') return 'invalid escape sequence: `\\Z`';
      else out += c + next;
      i++;
      continue;
    }
    if (c === '(' && rest[i + 1] === '?') {
      const head = rest.slice(i, i + 4);
      if (head.startsWith('(?=') || head.startsWith('(?!') || head.startsWith('(?<=') || head.startsWith('(?<!')) {
        return `invalid or unsupported Perl syntax: \`${head.startsWith('(?<') ? head : head.slice(0, 3)}\``;
      }
      if (rest.startsWith('(?P<', i)) {
        out += '(?<';
        i += 3;
        continue;
      }
      if (rest.startsWith('(?:', i) || rest.startsWith('(?<', i)) {
        out += rest.slice(i, i + 3);
        i += 2;
        continue;
      }
      return `flag groups other than a leading (?i), (?s) or (?m) are not supported by Gregor: \`${rest.slice(i, i + 4)}\``;
    }
    if (c === '[' && rest[i + 1] === '[' && rest[i + 2] === ':') {
      // a bracket expression that starts with a POSIX class: [[:alpha:]...]
      const m = /^\[\[:(\^?)([a-z]+):\]/.exec(rest.slice(i));
      const cls = m ? POSIX_CLASSES.get(m[2]!) : undefined;
      if (!m || cls === undefined) return 'invalid character class range';
      out += m[1] === '^' ? `[^${cls}` : `[${cls}`;
      i += m[0].length - 1;
      continue;
    }
    if (c === '[') {
      // POSIX classes inside a bracket expression after other members: [a-z[:digit:]]
      const close = findClassEnd(rest, i);
      if (close < 0) return 'missing closing ]';
      const body = rest.slice(i + 1, close);
      let bad = false;
      const replaced = body.replace(/\[:([a-z]+):\]/g, (_all, name: string) => {
        const cls = POSIX_CLASSES.get(name);
        if (cls === undefined) bad = true;
        return cls ?? '';
      });
      if (bad) return 'invalid character class range';
      out += `[${replaced}]`;
      i = close;
      continue;
    }
    out += c;
  }
  return { source: out, flags };
}

/** The index of the `]` closing the bracket expression that opens at `open`, or -1. */
function findClassEnd(text: string, open: number): number {
  let i = open + 1;
  if (text[i] === '^') i++;
  if (text[i] === ']') i++; // a leading ] is a literal
  for (; i < text.length; i++) {
    if (text[i] === '\\') {
      i++;
      continue;
    }
    if (text[i] === '[' && text[i + 1] === ':') {
      const end = text.indexOf(':]', i + 2);
      if (end > 0) {
        i = end + 1;
        continue;
      }
    }
    if (text[i] === ']') return i;
  }
  return -1;
}

/**
 * Compiles a SubscribedTopicRegex (or another RE2/J expression Kafka matches whole names with,
 * named by `field` in the message); the error message is Kafka's INVALID_REGULAR_EXPRESSION text.
 */
export function compileTopicRegex(expression: string, field = 'SubscribedTopicRegex'): CompiledTopicRegex {
  const invalid = (why: string): CompiledTopicRegex => ({
    ok: false,
    message: `${field} \`${expression}\` is not a valid regular expression: ${why}.`,
  });
  const translated = translate(expression);
  if (typeof translated === 'string') return invalid(translated);
  try {
    return { ok: true, regex: new RegExp(`^(?:${translated.source})$`, `u${translated.flags}`) };
  } catch (err) {
    return invalid((err as Error).message.replace(/^Invalid regular expression: /, ''));
  }
}

const INTERNAL_TOPICS: ReadonlySet<string> = new Set(['__consumer_offsets', '__transaction_state']);

/** Compiled regexes by source: a group's members usually share one. */
const cache = new Map<string, RegExp | null>();
const CACHE_LIMIT = 1000;

/** Whether a topic name matches a member's regex (false for an invalid or empty one). */
export function topicMatches(expression: string | null, topic: string): boolean {
  if (expression === null || expression === '' || INTERNAL_TOPICS.has(topic)) return false;
  let regex = cache.get(expression);
  if (regex === undefined) {
    const compiled = compileTopicRegex(expression);
    regex = compiled.ok ? compiled.regex : null;
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(expression, regex);
  }
  return regex !== null && regex.test(topic);
}
