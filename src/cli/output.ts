/** Output of the `gregor` tools: aligned tables for people, JSON for scripts. */
import { UsageError } from './errors.js';
import { cliIo } from './io.js';
export { UsageError };
export type OutputFormat = 'table' | 'json';

export function parseFormat(value: string): OutputFormat {
  if (value !== 'table' && value !== 'json') throw new UsageError(`--format takes table or json, not "${value}"`);
  return value;
}

export function table(rows: Array<Record<string, unknown>>, columns: string[]): string {
  const cells = rows.map((row) => columns.map((c) => cellText(row[c])));
  const widths = columns.map((c, i) => Math.max(heading(c).length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]): string =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map(heading)), ...cells.map(line)].join('\n');
}

/** `logEndOffset` → `LOG-END-OFFSET`, as rpk and kafka-consumer-groups.sh head their columns. */
function heading(column: string): string {
  return column.replace(/([a-z])([A-Z])/g, '$1-$2').toUpperCase();
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (Array.isArray(value)) return value.length === 0 ? '-' : value.join(',');
  return String(value);
}

export function printJson(value: unknown): void {
  cliIo().stdout.write(`${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
}

export function print(format: OutputFormat, value: unknown, render: () => string): void {
  if (format === 'json') printJson(value);
  else cliIo().stdout.write(`${render()}\n`);
}
