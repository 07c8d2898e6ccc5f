/**
 * Range and choice validators of the broker-config table (`config-defs.ts`), after Kafka's
 * ConfigDef validators (atLeast, between, in, ValidList). Each one says what it accepts, for
 * start-up messages and docs/configuration.md, and returns Kafka's wording of a problem for
 * AlterConfigs' INVALID_CONFIG messages. They see a value that already parsed as its type.
 */
/**
 * What a value check finds wrong: a message about the whole value, or, for a list, the entry that is
 * invalid and why (Kafka's ValidList names the entry, not the list, in "Invalid value X for configuration"),
 * or a message Kafka gives as it is, without naming the value.
 */
export type ConfigProblem = string | { invalid: string; message: string } | { exact: string };

export interface ConfigValidator {
  /** What is accepted, as read after the type: "≥ 1", "one of delete, compact". */
  readonly expected: string;
  /** Kafka's wording of the problem ("Value must be at least 1"), or null when the value is fine. */
  problem(value: string): ConfigProblem | null;
}

const toNumber = (value: string): number => Number(value.trim());

export function atLeast(min: number): ConfigValidator {
  return {
    expected: `≥ ${min}`,
    problem: (v) => (toNumber(v) >= min ? null : `Value must be at least ${min}`),
  };
}

export function between(min: number, max: number): ConfigValidator {
  return {
    expected: `between ${min} and ${max}`,
    problem: (v) => {
      const n = toNumber(v);
      if (n < min) return `Value must be at least ${min}`;
      return n > max ? `Value must be no more than ${max}` : null;
    },
  };
}

/** -1 (the codec's default) or a level in [min, max], as Kafka's gzip level. */
export function defaultOrBetween(min: number, max: number): ConfigValidator {
  return {
    expected: `-1 or between ${min} and ${max}`,
    problem: (v) => {
      const n = toNumber(v);
      return n === -1 || (n >= min && n <= max) ? null : `Value must be -1 or between ${min} and ${max}`;
    },
  };
}

/** One of the given strings (case-sensitive, as Kafka's ValidString). */
export function oneOf(...allowed: string[]): ConfigValidator {
  return {
    expected: `one of ${allowed.join(', ')}`,
    problem: (v) => (allowed.includes(v.trim()) ? null : `String must be one of: ${allowed.join(', ')}`),
  };
}

/** A comma-separated list whose every item is one of the given strings (Kafka's ValidList.in). */
export function listOf(...allowed: string[]): ConfigValidator {
  return {
    expected: `a list of ${allowed.join(', ')}`,
    problem: (v) => {
      const items = v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      const bad = items.find((s) => !allowed.includes(s));
      return bad === undefined ? null : { invalid: bad, message: `String must be one of: ${allowed.join(', ')}` };
    },
  };
}

/**
 * A setting Gregor does not implement: only its default (or, for a list, empty) is accepted, so
 * that a value the user means to take effect is refused at start-up and by AlterConfigs with
 * INVALID_CONFIG instead of being stored and ignored.
 */
export function onlyDefault(defaultValue: string, notImplemented: string): ConfigValidator {
  const isDefault = (v: string): boolean => {
    const value = v.trim();
    if (value === defaultValue) return true;
    if (defaultValue === '' || value === '') return false;
    // Numbers by value (1.7976931348623157E308 and 1.7976931348623157e+308 are one default).
    return /^[-+0-9.eE]+$/.test(value) && Number(value) === Number(defaultValue) && !/^-?\d+$/.test(value);
  };
  return {
    expected: `only ${defaultValue === '' ? 'empty' : defaultValue} (${notImplemented} is not implemented)`,
    problem: (v) => (isDefault(v) ? null : `Gregor does not implement ${notImplemented}; only the default is accepted`),
  };
}
