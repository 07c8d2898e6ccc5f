/**
 * The command-line parsing of Kafka's own tools (kafka-topics.sh and the others parse with
 * joptsimple): long options only, `--name value` or `--name=value`, an unambiguous prefix of a
 * name stands for it (`--bootstrap` for `--bootstrap-server`), a repeated option keeps every
 * value. The messages are joptsimple's and Kafka's CommandLineUtils' ("x is not a recognized
 * option", `Missing required argument "[topic]"`); the help is a table in joptsimple's layout.
 * Our own code: nothing of joptsimple is used.
 */
import { cliIo } from '../io.js';
import { KafkaOptionError, KafkaToolExit } from './errors.js';

export { KafkaOptionError, KafkaToolExit };

export interface OptionSpec {
  name: string;
  /** Whether the option takes a value: 'none' (a flag), 'required' or 'optional'. */
  arg: 'none' | 'required' | 'optional';
  help: string;
  /** What the value is, for the help (`<String: topic>`). */
  describedAs?: string;
  /** joptsimple's value type: Integer and Long values are checked. */
  type?: 'String' | 'Integer' | 'Long';
  defaultValue?: string;
}

export class ParsedOptions {
  constructor(
    readonly specs: readonly OptionSpec[],
    private readonly given: Map<string, Array<string | null>>,
    readonly argCount: number,
  ) {}

  has(name: string): boolean {
    return this.given.has(name);
  }

  /** The first value given, or the option's default. */
  value(name: string): string | undefined {
    const values = this.given.get(name);
    const first = values?.[0];
    if (first !== undefined && first !== null) return first;
    return this.specs.find((s) => s.name === name)?.defaultValue;
  }

  values(name: string): string[] {
    return (this.given.get(name) ?? []).filter((v): v is string => v !== null);
  }

  integer(name: string): number | undefined {
    const v = this.value(name);
    return v === undefined ? undefined : Number(v);
  }
}

function resolveName(specs: readonly OptionSpec[], written: string): OptionSpec {
  const exact = specs.find((s) => s.name === written);
  if (exact) return exact;
  const prefixed = specs.filter((s) => s.name.startsWith(written));
  if (prefixed.length === 1) return prefixed[0]!;
  throw new KafkaOptionError(`${written} is not a recognized option`);
}

function checkType(spec: OptionSpec, value: string): void {
  if (spec.type !== 'Integer' && spec.type !== 'Long') return;
  const ok = /^[-+]?\d+$/.test(value.trim());
  const n = Number(value);
  const fits = spec.type === 'Integer' ? n >= -2147483648 && n <= 2147483647 : Number.isSafeInteger(n);
  if (!ok || !fits) throw new KafkaOptionError(`Cannot parse argument '${value}' of option ${spec.name}`);
}

/** Parses `args` against `specs`; throws KafkaOptionError as joptsimple throws OptionException. */
export function parseOptions(specs: readonly OptionSpec[], args: readonly string[]): ParsedOptions {
  const given = new Map<string, Array<string | null>>();
  const add = (name: string, value: string | null): void => {
    given.set(name, [...(given.get(name) ?? []), value]);
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') break;
    // joptsimple keeps other words as non-option arguments, which Kafka's tools do not read.
    if (!arg.startsWith('--') || arg === '--') continue;
    const body = arg.slice(2);
    const eq = body.indexOf('=');
    const written = eq >= 0 ? body.slice(0, eq) : body;
    const spec = resolveName(specs, written);
    if (spec.arg === 'none') {
      if (eq >= 0) throw new KafkaOptionError(`Option ${spec.name} does not take an argument`);
      add(spec.name, null);
      continue;
    }
    let value: string | null = eq >= 0 ? body.slice(eq + 1) : null;
    if (value === null) {
      const next = args[i + 1];
      // A required value is the next word whatever it looks like (joptsimple); an optional one
      // is not taken when the next word is an option.
      if (next !== undefined && (spec.arg === 'required' || !next.startsWith('-'))) {
        value = next;
        i++;
      } else if (spec.arg === 'required') throw new KafkaOptionError(`Option ${spec.name} requires an argument`);
    }
    if (value !== null) checkType(spec, value);
    add(spec.name, value);
  }
  return new ParsedOptions(specs, given, args.length);
}

/** The help table, in joptsimple's layout (option column 41 wide). */
export function usageText(specs: readonly OptionSpec[]): string {
  const rows = [...specs]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((s) => {
      const valueText =
        s.arg === 'none'
          ? ''
          : s.arg === 'required'
            ? ` <${s.type ?? 'String'}${s.describedAs ? `: ${s.describedAs}` : ''}>`
            : ` [${s.type ?? 'String'}${s.describedAs ? `: ${s.describedAs}` : ''}]`;
      const help = s.defaultValue !== undefined ? `${s.help} (default: ${s.defaultValue})` : s.help;
      return [`--${s.name}${valueText}`, help];
    });
  const line = (left: string, right: string): string =>
    left.length >= 41 ? `${left}\n${' '.repeat(41)}${right}` : `${left.padEnd(41)}${right}`;
  return [line('Option', 'Description'), line('------', '-----------'), ...rows.map(([l, r]) => line(l!, r!))].join(
    '\n',
  );
}

/**
 * CommandLineUtils.printUsageAndExit: the message and the help on stderr, exit code 1.
 * Thrown, so the caller's clean-up runs.
 */
export function usageExit(specs: readonly OptionSpec[], message: string): KafkaToolExit {
  return new KafkaToolExit(1, `${message}\n${usageText(specs)}`);
}

/** CommandLineUtils.checkRequiredArgs. */
/** Parses a tool's options; an option error is joptsimple's usage answer (the message and the options, exit 1). */
export function parseOptionsOrUsage(specs: readonly OptionSpec[], args: readonly string[]): ParsedOptions {
  try {
    return parseOptions(specs, args);
  } catch (err) {
    if (err instanceof KafkaOptionError) throw usageExit(specs, err.message);
    throw err;
  }
}

export function requireOptions(options: ParsedOptions, ...names: string[]): void {
  for (const name of names)
    if (!options.has(name)) throw usageExit(options.specs, `Missing required argument "[${name}]"`);
}

/** CommandLineUtils.checkInvalidArgs: `used` may not come with any of `invalid`. */
export function refuseWith(options: ParsedOptions, used: string, invalid: readonly string[]): void {
  if (!options.has(used)) return;
  for (const other of invalid)
    if (options.has(other)) throw usageExit(options.specs, `Option "[${used}]" can't be used with option "[${other}]"`);
}

/** CommandLineUtils.parseKeyValueArgs: `key=value` (a missing value is ""). */
export function keyValueArgs(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of values) {
    const eq = kv.indexOf('=');
    if (eq < 0) out[kv] = '';
    else out[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return out;
}

/** Help (`--help`, or no argument at all) and `--version`, as CommandLineUtils.maybePrintHelpOrVersion. */
export function maybeHelpOrVersion(options: ParsedOptions, message: string, version: string): void {
  if (options.argCount === 0 || options.has('help')) throw usageExit(options.specs, message);
  if (options.has('version')) {
    cliIo().stdout.write(`${version}\n`);
    throw new KafkaToolExit(0, '');
  }
}

/** The options every Kafka tool has (CommandDefaultOptions). */
export const DEFAULT_OPTIONS: readonly OptionSpec[] = [
  { name: 'help', arg: 'none', help: 'Print usage information.' },
  { name: 'version', arg: 'none', help: 'Display Kafka version.' },
];
