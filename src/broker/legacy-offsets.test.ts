/** legacyOffsetsBefore: Kafka's ListOffsets v0 list, point by point. */
import t from 'tap';
import { LegacyOffsetsError } from './errors.js';
import { legacyOffsetsBefore, type LegacyOffsetsInput } from './legacy-offsets.js';

const segments = [
  { baseOffset: 0, size: 100, lastModifiedMs: 1000 },
  { baseOffset: 10, size: 100, lastModifiedMs: 2000 },
  { baseOffset: 20, size: 50, lastModifiedMs: 3000 },
];
const ask = (over: Partial<LegacyOffsetsInput>): number[] =>
  legacyOffsetsBefore({
    segments,
    logStartOffset: 0,
    logEndOffset: 25,
    timestamp: -1,
    maxNumOffsets: 10,
    now: 5000,
    highWatermark: null,
    ...over,
  });

t.same(ask({}), [25, 20, 10, 0], 'latest: the log end, then every segment base, descending');
t.same(ask({ maxNumOffsets: 1 }), [25], 'latest, one offset');
t.same(ask({ timestamp: -2 }), [0], 'earliest: only the first point');
t.same(ask({ timestamp: 2500 }), [10, 0], 'the segments last modified at or before the time');
t.same(ask({ timestamp: 2000 }), [10, 0], 'at the time counts');
t.same(ask({ timestamp: 2500, maxNumOffsets: 1 }), [10]);
t.same(ask({ timestamp: 999 }), [], 'before every segment: none');
t.same(ask({ timestamp: 6000 }), [25, 20, 10, 0], 'after now: the log end too');
t.same(ask({ maxNumOffsets: 0 }), []);
t.throws(() => ask({ maxNumOffsets: -1 }), LegacyOffsetsError);
t.same(ask({ logStartOffset: 12 }), [25, 20, 12, 12], 'bases below the log start are raised to it, as Kafka');
t.same(ask({ highWatermark: 22 }), [22, 20, 10, 0], "a consumer's answer stops at the high watermark");
t.same(
  ask({ segments: [...segments.slice(0, 2), { baseOffset: 20, size: 0, lastModifiedMs: 3000 }], logEndOffset: 20 }),
  [20, 10, 0],
  'an empty last segment: no log end point',
);
t.same(
  ask({ segments: [{ baseOffset: 0, size: 0, lastModifiedMs: 1000 }], logEndOffset: 0 }),
  [0],
  'an empty log: its one segment',
);
