/**
 * The records the group coordinator writes to `__consumer_offsets`, in Kafka's
 * versioned formats: a key is an int16 version then the key struct (0/1: offset
 * commit, 2: group metadata); a value is an int16 version then the value struct, or
 * null for a tombstone. Offsets are written as OffsetCommitValue v3, or v1 when the
 * commit carries an explicit expire timestamp; group metadata as GroupMetadataValue v3.
 * KIP-848 consumer group records (key versions 3-8) are encoded and decoded by
 * consumer/records.ts; later versions (share groups) decode to null and are skipped on replay. Also: which partition holds a group (Java's String.hashCode).
 */
import { javaStringHashCode } from '../common/java-hash.js';
import { Reader, Writer } from '../../protocol/primitives/index.js';
import {
  decodeOffsetCommitKey,
  encodeOffsetCommitKey,
} from '../../protocol/generated/records/group-coordinator/OffsetCommitKey.js';
import {
  decodeOffsetCommitValue,
  encodeOffsetCommitValue,
  type OffsetCommitValue,
} from '../../protocol/generated/records/group-coordinator/OffsetCommitValue.js';
import {
  decodeGroupMetadataKey,
  encodeGroupMetadataKey,
} from '../../protocol/generated/records/group-coordinator/GroupMetadataKey.js';
import {
  decodeGroupMetadataValue,
  encodeGroupMetadataValue,
  type GroupMetadataValue,
} from '../../protocol/generated/records/group-coordinator/GroupMetadataValue.js';
import {
  decodeConsumerGroupRecord,
  encodeConsumerGroupKey,
  encodeConsumerGroupValue,
  type ConsumerGroupRecord,
} from './consumer/records.js';

export const OFFSET_COMMIT_KEY_VERSION = 1;
export const GROUP_METADATA_KEY_VERSION = 2;
export const GROUP_METADATA_VALUE_VERSION = 3;

export type GroupRecord =
  | { kind: 'offset'; groupId: string; topic: string; partition: number; value: OffsetCommitValue | null }
  | { kind: 'group'; groupId: string; value: GroupMetadataValue | null }
  | ConsumerGroupRecord;

/** One key/value pair as it goes into a record batch. */
export interface RawRecord {
  key: Buffer;
  value: Buffer | null;
}

/**
 * The `__consumer_offsets` partition of a group: Utils.abs(hashCode) % partitions, where Kafka's
 * Utils.abs is Math.abs except that Integer.MIN_VALUE gives 0 (not a bit mask: -5 gives 5).
 */
export function partitionForGroup(groupId: string, numPartitions: number): number {
  const hash = javaStringHashCode(groupId);
  const abs = hash === -0x80000000 ? 0 : Math.abs(hash);
  return abs % numPartitions;
}

export function encodeGroupRecord(record: GroupRecord): RawRecord {
  return encodeGroupRecords([record])[0]!;
}

/**
 * Encodes records into one shared buffer (one allocation for a whole batch of commits);
 * each key and value is a view of it.
 */
export function encodeGroupRecords(records: readonly GroupRecord[]): RawRecord[] {
  const w = new Writer(records.length * 96);
  const spans: Array<[number, number, number, number]> = [];
  for (const record of records) {
    const keyStart = w.length;
    let valueStart: number;
    if (record.kind === 'offset') {
      w.int16(OFFSET_COMMIT_KEY_VERSION);
      encodeOffsetCommitKey(w, OFFSET_COMMIT_KEY_VERSION, {
        group: record.groupId,
        topic: record.topic,
        partition: record.partition,
      });
      valueStart = w.length;
      if (record.value) {
        const version = record.value.expireTimestamp >= 0n ? 1 : 3;
        w.int16(version);
        encodeOffsetCommitValue(w, version, record.value);
      }
    } else if (record.kind !== 'group') {
      encodeConsumerGroupKey(w, record);
      valueStart = w.length;
      encodeConsumerGroupValue(w, record);
    } else {
      w.int16(GROUP_METADATA_KEY_VERSION);
      encodeGroupMetadataKey(w, GROUP_METADATA_KEY_VERSION, { group: record.groupId });
      valueStart = w.length;
      if (record.value) {
        w.int16(GROUP_METADATA_VALUE_VERSION);
        encodeGroupMetadataValue(w, GROUP_METADATA_VALUE_VERSION, record.value);
      }
    }
    spans.push([keyStart, valueStart, w.length, record.value === null ? 0 : 1]);
  }
  const bytes = w.toBuffer();
  return spans.map(([keyStart, valueStart, end, hasValue]) => ({
    key: bytes.subarray(keyStart, valueStart),
    value: hasValue === 1 ? bytes.subarray(valueStart, end) : null,
  }));
}

/** Decodes one record; null for key versions this coordinator does not own. Throws ProtocolDecodeError on corrupt bytes. */
export function decodeGroupRecord(key: Buffer, value: Buffer | null): GroupRecord | null {
  const k = new Reader(key);
  const keyVersion = k.int16();
  if (keyVersion === 0 || keyVersion === 1) {
    const { group, topic, partition } = decodeOffsetCommitKey(k, keyVersion);
    if (value === null) return { kind: 'offset', groupId: group, topic, partition, value: null };
    const v = new Reader(value);
    const valueVersion = v.int16();
    return { kind: 'offset', groupId: group, topic, partition, value: decodeOffsetCommitValue(v, valueVersion) };
  }
  if (keyVersion === 2) {
    const { group } = decodeGroupMetadataKey(k, keyVersion);
    if (value === null) return { kind: 'group', groupId: group, value: null };
    const v = new Reader(value);
    const valueVersion = v.int16();
    return { kind: 'group', groupId: group, value: decodeGroupMetadataValue(v, valueVersion) };
  }
  return decodeConsumerGroupRecord(keyVersion, k, value);
}
