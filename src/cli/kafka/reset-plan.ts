/**
 * The parts of kafka-consumer-groups.sh --reset-offsets that are text formats rather than
 * Kafka calls: `--by-duration`'s ISO-8601 duration (java.time.Duration's `PnDTnHnMn.nS`, signs
 * allowed on the whole and on each number) and the CSV of `--export` / `--from-file`
 * (`topic,partition,offset` for a single --group, `group,topic,partition,offset` otherwise;
 * a field with a comma, a quote or a line break is quoted, its quotes doubled).
 * Left out: Java's years/months (Duration has none either) and nanosecond precision (the
 * duration is kept in milliseconds, as the reset timestamp is).
 */

/** Java's DateTimeParseException message for a text that is not a Duration. */
export const DURATION_PARSE_ERROR = 'Text cannot be parsed to a Duration';

const DURATION =
  /^([-+]?)P(?:([-+]?\d+)D)?(?:T(?:([-+]?\d+)H)?(?:([-+]?\d+)M)?(?:([-+]?)(\d+)(?:[.,](\d{0,9}))?S)?)?$/i;

/** A java.time.Duration text as milliseconds, or null when it is not one. */
export function parseJavaDuration(text: string): number | null {
  const m = DURATION.exec(text);
  if (!m) return null;
  const [, sign, days, hours, minutes, secondsSign, seconds, fraction] = m;
  // 'P' alone, or a 'T' with nothing after it, is no duration.
  if (days === undefined && hours === undefined && minutes === undefined && seconds === undefined) return null;
  if (/T$/i.test(text)) return null;
  const num = (s: string | undefined): number => (s === undefined ? 0 : Number(s));
  const secondsMs =
    seconds === undefined
      ? 0
      : (secondsSign === '-' ? -1 : 1) * (num(seconds) * 1000 + Math.trunc(Number(`0.${fraction ?? ''}0`) * 1000));
  const ms = num(days) * 86_400_000 + num(hours) * 3_600_000 + num(minutes) * 60_000 + secondsMs;
  return sign === '-' ? -ms : ms;
}

export interface PlannedOffset {
  group: string;
  topic: string;
  partition: number;
  offset: string;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** --export: one CSV line per partition, with the group column only when several groups were asked for. */
export function exportCsv(rows: readonly PlannedOffset[], singleGroup: boolean): string {
  return rows
    .map(
      (r) =>
        [...(singleGroup ? [] : [csvField(r.group)]), csvField(r.topic), String(r.partition), r.offset].join(',') +
        '\n',
    )
    .join('');
}

/** The fields of one CSV line (quoted fields may hold commas and doubled quotes). */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw new Error(`Unexpected end of a quoted CSV value: ${line}`);
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += line[i++];
      }
    } else {
      const end = line.indexOf(',', i);
      field = line.slice(i, end < 0 ? line.length : end);
      i = end < 0 ? line.length : end;
    }
    fields.push(field);
    if (i >= line.length) return fields;
    if (line[i] !== ',') throw new Error(`Expected a comma after a quoted CSV value: ${line}`);
    i++;
  }
}

const INTEGER = /^-?\d+$/;

/**
 * --from-file: the reset plan, group by group. With a single --group and three columns on the
 * first line the file is `topic,partition,offset` for that group; otherwise every line names its group.
 */
export function parseResetPlan(csv: string, groups: readonly string[]): Map<string, PlannedOffset[]> {
  const lines = csv
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() !== '');
  const first = lines.length > 0 ? csvFields(lines[0]!) : [];
  const noGroupColumn = groups.length === 1 && first.length === 3 && INTEGER.test(first[1]!) && INTEGER.test(first[2]!);
  const plan = new Map<string, PlannedOffset[]>();
  for (const line of lines) {
    const fields = csvFields(line);
    const [group, topic, partition, offset] = noGroupColumn ? [groups[0]!, ...fields] : fields;
    if (fields.length !== (noGroupColumn ? 3 : 4) || !INTEGER.test(partition ?? '') || !INTEGER.test(offset ?? ''))
      throw new Error(
        `Cannot read the reset plan line '${line}': expected ${noGroupColumn ? 'topic,partition,offset' : 'group,topic,partition,offset'}`,
      );
    const rows = plan.get(group!) ?? [];
    rows.push({ group: group!, topic: topic!, partition: Number(partition), offset: offset! });
    plan.set(group!, rows);
  }
  return plan;
}
