/**
 * Whether this broker serves the consumer group protocol of KIP-848 (ConsumerGroupHeartbeat,
 * ConsumerGroupDescribe): `consumer` in group.coordinator.rebalance.protocols, as Kafka decides it.
 * Leaves out the ApiVersions answer, which lists both APIs either way (as Kafka 3.9 does).
 */
import type { BrokerConfig } from '../../common/config.js';

export function consumerProtocolEnabled(config: BrokerConfig): boolean {
  return config.list('group.coordinator.rebalance.protocols').includes('consumer');
}
