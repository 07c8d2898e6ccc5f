/**
 * Metadata-log records as KRaft frames them: an unsigned-varint frame version (1), the
 * record type (the schema's apiKey) and the record version, then the body in the
 * generated codec. The union lists the records the controller writes today.
 */
import { Reader, Writer, ProtocolDecodeError } from '../../protocol/primitives/index.js';
import * as Topic from '../../protocol/generated/records/metadata/TopicRecord.js';
import * as Partition from '../../protocol/generated/records/metadata/PartitionRecord.js';
import * as PartitionChange from '../../protocol/generated/records/metadata/PartitionChangeRecord.js';
import * as Config from '../../protocol/generated/records/metadata/ConfigRecord.js';
import * as RemoveTopic from '../../protocol/generated/records/metadata/RemoveTopicRecord.js';
import * as RegisterBroker from '../../protocol/generated/records/metadata/RegisterBrokerRecord.js';
import * as FenceBroker from '../../protocol/generated/records/metadata/FenceBrokerRecord.js';
import * as UnregisterBroker from '../../protocol/generated/records/metadata/UnregisterBrokerRecord.js';
import * as UnfenceBroker from '../../protocol/generated/records/metadata/UnfenceBrokerRecord.js';
import * as BrokerRegistrationChange from '../../protocol/generated/records/metadata/BrokerRegistrationChangeRecord.js';
import * as ProducerIds from '../../protocol/generated/records/metadata/ProducerIdsRecord.js';
import * as FeatureLevel from '../../protocol/generated/records/metadata/FeatureLevelRecord.js';
import * as NoOp from '../../protocol/generated/records/metadata/NoOpRecord.js';
import * as UserScram from '../../protocol/generated/records/metadata/UserScramCredentialRecord.js';
import * as RemoveUserScram from '../../protocol/generated/records/metadata/RemoveUserScramCredentialRecord.js';
import * as ClientQuota from '../../protocol/generated/records/metadata/ClientQuotaRecord.js';
import * as AccessControlEntry from '../../protocol/generated/records/metadata/AccessControlEntryRecord.js';
import * as RemoveAccessControlEntry from '../../protocol/generated/records/metadata/RemoveAccessControlEntryRecord.js';

export type MetadataRecord =
  | { type: 'TopicRecord'; data: Topic.TopicRecord }
  | { type: 'PartitionRecord'; data: Partition.PartitionRecord }
  | { type: 'PartitionChangeRecord'; data: PartitionChange.PartitionChangeRecord }
  | { type: 'ConfigRecord'; data: Config.ConfigRecord }
  | { type: 'RemoveTopicRecord'; data: RemoveTopic.RemoveTopicRecord }
  | { type: 'RegisterBrokerRecord'; data: RegisterBroker.RegisterBrokerRecord }
  | { type: 'FenceBrokerRecord'; data: FenceBroker.FenceBrokerRecord }
  | { type: 'UnregisterBrokerRecord'; data: UnregisterBroker.UnregisterBrokerRecord }
  | { type: 'UnfenceBrokerRecord'; data: UnfenceBroker.UnfenceBrokerRecord }
  | { type: 'BrokerRegistrationChangeRecord'; data: BrokerRegistrationChange.BrokerRegistrationChangeRecord }
  | { type: 'ProducerIdsRecord'; data: ProducerIds.ProducerIdsRecord }
  | { type: 'FeatureLevelRecord'; data: FeatureLevel.FeatureLevelRecord }
  | { type: 'NoOpRecord'; data: NoOp.NoOpRecord }
  | { type: 'UserScramCredentialRecord'; data: UserScram.UserScramCredentialRecord }
  | { type: 'RemoveUserScramCredentialRecord'; data: RemoveUserScram.RemoveUserScramCredentialRecord }
  | { type: 'ClientQuotaRecord'; data: ClientQuota.ClientQuotaRecord }
  | { type: 'AccessControlEntryRecord'; data: AccessControlEntry.AccessControlEntryRecord }
  | { type: 'RemoveAccessControlEntryRecord'; data: RemoveAccessControlEntry.RemoveAccessControlEntryRecord };

interface Codec {
  id: number;
  version: number;
  encode(w: Writer, version: number, data: never): void;
  decode(r: Reader, version: number): unknown;
}

const CODECS: Record<MetadataRecord['type'], Codec> = {
  TopicRecord: { id: 2, version: 0, encode: Topic.encodeTopicRecord, decode: Topic.decodeTopicRecord },
  PartitionRecord: {
    id: 3,
    version: 0,
    encode: Partition.encodePartitionRecord,
    decode: Partition.decodePartitionRecord,
  },
  PartitionChangeRecord: {
    id: 5,
    version: 0,
    encode: PartitionChange.encodePartitionChangeRecord,
    decode: PartitionChange.decodePartitionChangeRecord,
  },
  ConfigRecord: { id: 4, version: 0, encode: Config.encodeConfigRecord, decode: Config.decodeConfigRecord },
  RemoveTopicRecord: {
    id: 9,
    version: 0,
    encode: RemoveTopic.encodeRemoveTopicRecord,
    decode: RemoveTopic.decodeRemoveTopicRecord,
  },
  RegisterBrokerRecord: {
    id: 0,
    version: 3,
    encode: RegisterBroker.encodeRegisterBrokerRecord,
    decode: RegisterBroker.decodeRegisterBrokerRecord,
  },
  UnregisterBrokerRecord: {
    id: 1,
    version: 0,
    encode: UnregisterBroker.encodeUnregisterBrokerRecord,
    decode: UnregisterBroker.decodeUnregisterBrokerRecord,
  },
  FenceBrokerRecord: {
    id: 7,
    version: 0,
    encode: FenceBroker.encodeFenceBrokerRecord,
    decode: FenceBroker.decodeFenceBrokerRecord,
  },
  UnfenceBrokerRecord: {
    id: 8,
    version: 0,
    encode: UnfenceBroker.encodeUnfenceBrokerRecord,
    decode: UnfenceBroker.decodeUnfenceBrokerRecord,
  },
  BrokerRegistrationChangeRecord: {
    id: 17,
    version: 1,
    encode: BrokerRegistrationChange.encodeBrokerRegistrationChangeRecord,
    decode: BrokerRegistrationChange.decodeBrokerRegistrationChangeRecord,
  },
  ProducerIdsRecord: {
    id: 15,
    version: 0,
    encode: ProducerIds.encodeProducerIdsRecord,
    decode: ProducerIds.decodeProducerIdsRecord,
  },
  FeatureLevelRecord: {
    id: 12,
    version: 0,
    encode: FeatureLevel.encodeFeatureLevelRecord,
    decode: FeatureLevel.decodeFeatureLevelRecord,
  },
  NoOpRecord: { id: 20, version: 0, encode: NoOp.encodeNoOpRecord, decode: NoOp.decodeNoOpRecord },
  UserScramCredentialRecord: {
    id: 11,
    version: 0,
    encode: UserScram.encodeUserScramCredentialRecord,
    decode: UserScram.decodeUserScramCredentialRecord,
  },
  RemoveUserScramCredentialRecord: {
    id: 22,
    version: 0,
    encode: RemoveUserScram.encodeRemoveUserScramCredentialRecord,
    decode: RemoveUserScram.decodeRemoveUserScramCredentialRecord,
  },
  ClientQuotaRecord: {
    id: 14,
    version: 0,
    encode: ClientQuota.encodeClientQuotaRecord,
    decode: ClientQuota.decodeClientQuotaRecord,
  },
  AccessControlEntryRecord: {
    id: 18,
    version: 0,
    encode: AccessControlEntry.encodeAccessControlEntryRecord,
    decode: AccessControlEntry.decodeAccessControlEntryRecord,
  },
  RemoveAccessControlEntryRecord: {
    id: 19,
    version: 0,
    encode: RemoveAccessControlEntry.encodeRemoveAccessControlEntryRecord,
    decode: RemoveAccessControlEntry.decodeRemoveAccessControlEntryRecord,
  },
};

const BY_ID = new Map<number, MetadataRecord['type']>(
  Object.entries(CODECS).map(([type, codec]) => [codec.id, type as MetadataRecord['type']]),
);

export function encodeMetadataRecord(record: MetadataRecord): Buffer {
  const codec = CODECS[record.type];
  const w = new Writer(64);
  w.uvarint(1).uvarint(codec.id).uvarint(codec.version);
  codec.encode(w, codec.version, record.data as never);
  return w.toBuffer();
}

export function decodeMetadataRecord(bytes: Buffer): MetadataRecord {
  const r = new Reader(bytes);
  const frameVersion = r.uvarint();
  if (frameVersion !== 1) throw new ProtocolDecodeError(`metadata record frame version ${frameVersion}`);
  const id = r.uvarint();
  const version = r.uvarint();
  const type = BY_ID.get(id);
  if (type === undefined) throw new ProtocolDecodeError(`unknown metadata record type ${id}`);
  const data = CODECS[type].decode(r, version);
  return { type, data } as MetadataRecord;
}
