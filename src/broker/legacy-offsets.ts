/**
 * ListOffsets v0's answer (Kafka's legacy "offsets before a time"): the log as a list of
 * (offset, time) points, one per segment (its base offset, raised to the log start, with the
 * segment's last modification time) and, when the last segment holds data, the log end offset
 * with the current time. Latest (-1) starts at the last point, earliest (-2) at the first, any
 * other timestamp at the last point whose time is at or before it; from there up to
 * `maxNumOffsets` offsets going back, in descending order. A consumer's answer (replica id -1)
 * never names an offset past the high watermark: the ones above it give way to the high
 * watermark itself. A negative `maxNumOffsets` fails as Kafka's array allocation does
 * (LegacyOffsetsError, answered UNKNOWN_SERVER_ERROR). Pure: the caller reads the segments.
 */
import { LegacyOffsetsError } from './errors.js';

export interface SegmentTime {
  baseOffset: number;
  size: number;
  lastModifiedMs: number;
}

export interface LegacyOffsetsInput {
  segments: readonly SegmentTime[];
  logStartOffset: number;
  logEndOffset: number;
  /** -1 latest, -2 earliest, else a time in ms (callers refuse the other negative values). */
  timestamp: number;
  maxNumOffsets: number;
  now: number;
  /** Set for a consumer's request: offsets past it are not named. */
  highWatermark: number | null;
}

export function legacyOffsetsBefore(input: LegacyOffsetsInput): number[] {
  const points = input.segments.map((s) => ({
    offset: Math.max(s.baseOffset, input.logStartOffset),
    time: s.lastModifiedMs,
  }));
  const last = input.segments[input.segments.length - 1];
  if (last !== undefined && last.size > 0) points.push({ offset: input.logEndOffset, time: input.now });
  let start: number;
  if (input.timestamp === -1) start = points.length - 1;
  else if (input.timestamp === -2) start = 0;
  else {
    start = points.length - 1;
    while (start >= 0 && points[start]!.time > input.timestamp) start--;
  }
  const count = Math.min(input.maxNumOffsets, start + 1);
  if (count < 0) throw new LegacyOffsetsError(`maxNumOffsets ${input.maxNumOffsets} is negative`);
  const offsets: number[] = [];
  for (let i = 0; i < count; i++) offsets.push(points[start - i]!.offset);
  offsets.sort((a, b) => b - a);
  const hw = input.highWatermark;
  if (hw === null || !offsets.some((o) => o > hw)) return offsets;
  return [hw, ...offsets.filter((o) => o <= hw)];
}
