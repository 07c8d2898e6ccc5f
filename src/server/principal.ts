/**
 * Who a connection is: Kafka's principal (`User:name`), and the mapping of a TLS client
 * certificate's subject to it through `ssl.principal.mapping.rules`, as Kafka's
 * SslPrincipalMapper does: DEFAULT keeps the whole distinguished name (RFC 2253 form,
 * most specific attribute first); `RULE:pattern/replacement/` applies when the pattern
 * matches the whole name, optionally followed by L or U to change case. The first rule
 * that applies wins; a name no rule applies to is refused.
 */
import { ConfigError } from '../common/config.js';
import { NoMatchingRuleError } from './errors.js';
export { NoMatchingRuleError };

/** The principal itself is plain data in src/common/ (the controller and metadata read it too). */
export { ANONYMOUS, principalToString, userPrincipal, type KafkaPrincipal } from '../common/principal.js';

type MappingRule =
  { kind: 'default' } | { kind: 'rule'; pattern: RegExp; replacement: string; caseChange: '' | 'L' | 'U' };

/** Reads up to the next unescaped '/', returning the text (escapes `\/` resolved) and the index after the '/'. */
function readUntilSlash(text: string, from: number, rules: string): [string, number] {
  let out = '';
  for (let i = from; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && text[i + 1] === '/') {
      out += '/';
      i++;
    } else if (ch === '/') return [out, i + 1];
    else out += ch;
  }
  throw new ConfigError(`ssl.principal.mapping.rules: unterminated RULE in "${rules}"`);
}

export function parseSslPrincipalMappingRules(rules: string): MappingRule[] {
  const out: MappingRule[] = [];
  let i = 0;
  while (i < rules.length) {
    while (i < rules.length && /[\s,]/.test(rules[i]!)) i++;
    if (i >= rules.length) break;
    if (rules.startsWith('DEFAULT', i)) {
      out.push({ kind: 'default' });
      i += 'DEFAULT'.length;
    } else if (rules.startsWith('RULE:', i)) {
      const [pattern, afterPattern] = readUntilSlash(rules, i + 'RULE:'.length, rules);
      const [replacement, afterReplacement] = readUntilSlash(rules, afterPattern, rules);
      i = afterReplacement;
      let caseChange: '' | 'L' | 'U' = '';
      if (rules[i] === 'L' || rules[i] === 'U') caseChange = rules[i++] as 'L' | 'U';
      let compiled: RegExp;
      try {
        compiled = new RegExp(`^(?:${pattern})$`);
      } catch (err) {
        throw new ConfigError(`ssl.principal.mapping.rules: invalid pattern "${pattern}": ${(err as Error).message}`);
      }
      out.push({ kind: 'rule', pattern: compiled, replacement, caseChange });
    } else {
      throw new ConfigError(`ssl.principal.mapping.rules: invalid rule at "${rules.slice(i)}"`);
    }
    while (i < rules.length && /\s/.test(rules[i]!)) i++;
    if (i < rules.length && rules[i] !== ',')
      throw new ConfigError(`ssl.principal.mapping.rules: invalid rule at "${rules.slice(i)}"`);
  }
  if (out.length === 0) throw new ConfigError('ssl.principal.mapping.rules: no rule given');
  return out;
}

/** The user name for a certificate subject (RFC 2253), or NoMatchingRuleError. */
export function mapSslPrincipal(rules: readonly MappingRule[], distinguishedName: string): string {
  for (const rule of rules) {
    if (rule.kind === 'default') return distinguishedName;
    if (!rule.pattern.test(distinguishedName)) continue;
    const mapped = distinguishedName.replace(rule.pattern, rule.replacement);
    if (rule.caseChange === 'L') return mapped.toLowerCase();
    if (rule.caseChange === 'U') return mapped.toUpperCase();
    return mapped;
  }
  throw new NoMatchingRuleError(`no ssl.principal.mapping.rules rule applies to "${distinguishedName}"`);
}
