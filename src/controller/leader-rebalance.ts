/**
 * Auto leader rebalance on the active controller (auto.leader.rebalance.enable, true by default
 * as in Kafka): every leader.imbalance.check.interval.seconds, a broker whose share of misled
 * partitions (it is their preferred, first, replica but does not lead them) is above
 * leader.imbalance.per.broker.percentage gets them back by preferred elections, where the
 * preferred replica is in the ISR and live (src/metadata/partition-leadership.ts). So after a
 * node comes back and rejoins the ISRs, leadership returns to it.
 * Leaves out: nothing of the three settings; the timer is the caller's (`check` is pure apart from
 * the commit).
 */
import type { Logger } from '../common/logger.js';
import type { MetadataController } from '../metadata/controller.js';
import { rebalanceLeaders } from '../metadata/partition-leadership.js';

export class LeaderRebalancer {
  private running = false;

  constructor(
    private readonly controller: MetadataController,
    private readonly imbalancePercentage: number,
    private readonly logger: Logger,
  ) {}

  /** One check; resolves with the number of partitions whose leadership moved back. */
  async check(): Promise<number> {
    if (this.running || !this.controller.isActive()) return 0;
    const records = rebalanceLeaders(this.controller.image, this.imbalancePercentage);
    if (records.length === 0) return 0;
    this.running = true;
    try {
      await this.controller.submit(records);
      this.logger.info({ partitions: records.length }, 'leader rebalance: preferred replicas lead again');
      return records.length;
    } catch (err) {
      this.logger.debug({ err }, 'leader rebalance not committed');
      return 0;
    } finally {
      this.running = false;
    }
  }
}
