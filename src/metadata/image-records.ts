/**
 * The records that rebuild a metadata image from nothing, for KIP-630 snapshots: each broker
 * (RegisterBrokerRecord, fenced or not), broker configs, each topic (TopicRecord, its configs, one
 * PartitionRecord per partition with its current leader, epochs, replicas and ISR) and the
 * producer-id high mark, the SCRAM credentials and the client quotas (one ClientQuotaRecord per entity and key) and the ACL bindings (one AccessControlEntryRecord each). Replaying them into an empty image gives an equal image; deleted topics and
 * superseded changes are gone, so a snapshot is as large as the image, not as the log.
 * Leaves out: fields the image does not keep (features, log dirs).
 */
import { defaultPartitionRecord } from '../../protocol/generated/records/metadata/PartitionRecord.js';
import { defaultRegisterBrokerRecord } from '../../protocol/generated/records/metadata/RegisterBrokerRecord.js';
import { ConfigResourceType, SCRAM_MECHANISM_IDS, type MetadataImage } from './image.js';
import type { MetadataRecord } from './records.js';

export function imageToRecords(image: MetadataImage): MetadataRecord[] {
  const out: MetadataRecord[] = [];
  for (const b of [...image.brokers.values()].sort((x, y) => x.brokerId - y.brokerId)) {
    out.push({
      type: 'RegisterBrokerRecord',
      data: {
        ...defaultRegisterBrokerRecord(),
        brokerId: b.brokerId,
        ...(b.incarnationId !== undefined ? { incarnationId: b.incarnationId } : {}),
        ...(b.brokerEpoch !== undefined ? { brokerEpoch: b.brokerEpoch } : {}),
        fenced: b.fenced,
        inControlledShutdown: b.inControlledShutdown,
        rack: b.rack,
        endPoints: b.endpoints.map((e) => ({ ...e })),
        logDirs: [],
      },
    });
  }
  for (const [resourceName, configs] of image.brokerConfigs) {
    for (const [name, value] of configs)
      out.push({ type: 'ConfigRecord', data: { resourceType: ConfigResourceType.BROKER, resourceName, name, value } });
  }
  for (const topic of image.topicsByName.values()) {
    out.push({ type: 'TopicRecord', data: { name: topic.name, topicId: topic.topicId } });
    for (const [name, value] of topic.configs)
      out.push({
        type: 'ConfigRecord',
        data: { resourceType: ConfigResourceType.TOPIC, resourceName: topic.name, name, value },
      });
    for (const p of [...topic.partitions.values()].sort((x, y) => x.partition - y.partition)) {
      out.push({
        type: 'PartitionRecord',
        data: {
          ...defaultPartitionRecord(),
          partitionId: p.partition,
          topicId: topic.topicId,
          replicas: [...p.replicas],
          isr: [...p.isr],
          removingReplicas: [...(p.removingReplicas ?? [])],
          addingReplicas: [...(p.addingReplicas ?? [])],
          leader: p.leader,
          leaderEpoch: p.leaderEpoch,
          partitionEpoch: p.partitionEpoch,
        },
      });
    }
  }
  for (const [mechanism, users] of image.scramCredentials) {
    for (const [name, c] of users) {
      out.push({
        type: 'UserScramCredentialRecord',
        data: {
          name,
          mechanism: SCRAM_MECHANISM_IDS[mechanism],
          salt: c.salt,
          storedKey: c.storedKey,
          serverKey: c.serverKey,
          iterations: c.iterations,
        },
      });
    }
  }
  for (const { entity, quotas } of image.clientQuotas.values()) {
    for (const [key, value] of quotas)
      out.push({
        type: 'ClientQuotaRecord',
        data: { entity: entity.map((p) => ({ ...p })), key, value, remove: false },
      });
  }
  for (const acl of image.acls.all()) out.push({ type: 'AccessControlEntryRecord', data: { ...acl } });
  if (image.nextProducerId > 0n)
    out.push({
      type: 'ProducerIdsRecord',
      data: { brokerId: -1, brokerEpoch: -1n, nextProducerId: image.nextProducerId },
    });
  return out;
}
