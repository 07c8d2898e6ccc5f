/**
 * Reads a JAAS login configuration as Kafka's `sasl.jaas.config` holds it:
 * `<LoginModule class> <flag> key="value" key2=value2 ... ;` (one or more entries).
 * Values may be double-quoted (with backslash escapes) or bare words.
 */
import { ConfigError } from '../../common/config.js';

export interface JaasEntry {
  loginModule: string;
  flag: string;
  options: Map<string, string>;
}

const FLAGS = new Set(['required', 'requisite', 'sufficient', 'optional']);

function tokenize(text: string, setting: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) {
      // Comments of a JAAS file (Java's ConfigFile): // to the end of the line, /* ... */
      const end = text[i + 1] === '/' ? text.indexOf('\n', i) : text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + (text[i + 1] === '/' ? 1 : 2);
    } else if (ch === ';' || ch === '=' || ch === '{' || ch === '}') {
      tokens.push(ch);
      i++;
    } else if (ch === '"') {
      let value = '';
      i++;
      for (; i < text.length && text[i] !== '"'; i++)
        value += text[i] === '\\' && i + 1 < text.length ? text[++i]! : text[i]!;
      if (i >= text.length) throw new ConfigError(`${setting}: unterminated quoted value`);
      i++;
      tokens.push(`"${value}`);
    } else {
      let word = '';
      while (i < text.length && !/[\s;="{}]/.test(text[i]!)) word += text[i++]!;
      tokens.push(word);
    }
  }
  return tokens;
}

/** Parses the JAAS text of `setting`; throws ConfigError naming the setting on bad syntax. */
export function parseJaasConfig(text: string, setting: string): JaasEntry[] {
  const tokens = tokenize(text, setting);
  const { entries, next } = parseEntries(tokens, 0, setting, null);
  if (next < tokens.length) throw new ConfigError(`${setting}: unexpected '${tokens[next]}'`);
  if (entries.length === 0) throw new ConfigError(`${setting}: no login module`);
  return entries;
}

/**
 * Parses a static JAAS file (`-Djava.security.auth.login.config=<file>`): sections
 * `Name { <entries> };`, with // and /* comments. Returns the entries of each section by name.
 */
export function parseJaasFile(text: string, file: string): Map<string, JaasEntry[]> {
  const tokens = tokenize(text, file);
  const sections = new Map<string, JaasEntry[]>();
  let i = 0;
  while (i < tokens.length) {
    const name = tokens[i++]!;
    if (tokens[i++] !== '{') throw new ConfigError(`${file}: expected '{' after ${name}`);
    const { entries, next } = parseEntries(tokens, i, file, '}');
    i = next + 1;
    if (tokens[i] === ';') i++;
    sections.set(name, [...(sections.get(name) ?? []), ...entries]);
  }
  return sections;
}

function parseEntries(
  tokens: readonly string[],
  from: number,
  setting: string,
  closing: string | null,
): { entries: JaasEntry[]; next: number } {
  const entries: JaasEntry[] = [];
  const unquote = (t: string): string => (t.startsWith('"') ? t.slice(1) : t);
  let i = from;
  while (i < tokens.length && tokens[i] !== closing) {
    if (tokens[i] === '}' || tokens[i] === '{') break;
    const loginModule = tokens[i++]!;
    const flag = (tokens[i++] ?? '').toLowerCase();
    if (!FLAGS.has(flag))
      throw new ConfigError(
        `${setting}: login module ${loginModule} needs a flag (required, requisite, sufficient or optional)`,
      );
    const options = new Map<string, string>();
    while (i < tokens.length && tokens[i] !== ';') {
      const key = tokens[i++]!;
      if (tokens[i++] !== '=' || i >= tokens.length || tokens[i] === ';')
        throw new ConfigError(`${setting}: option ${key} of ${loginModule} has no value`);
      options.set(unquote(key), unquote(tokens[i++]!));
    }
    if (tokens[i++] !== ';') throw new ConfigError(`${setting}: the entry of ${loginModule} must end with ';'`);
    entries.push({ loginModule, flag, options });
  }
  if (closing !== null && tokens[i] !== closing) throw new ConfigError(`${setting}: missing '${closing}'`);
  return { entries, next: i };
}
