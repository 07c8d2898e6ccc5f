/**
 * Builds the metadata quorum of one process from its config: the voters
 * (controller.quorum.voters, or this node alone), the file-backed Raft log and quorum-state file under
 * `<metadata.log.dir>/__cluster_metadata-0/` (in memory for ephemeral brokers), the state machine
 * that applies committed records to the MetadataController's image, the Raft node driver, the
 * active controller's broker registry and this broker's registration/heartbeat loop.
 * Leaves out: broker-only and controller-only processes (every process is a voter or, when not in
 * the voter list, an idle observer).
 */
import { join } from 'node:path';
import type { BrokerConfig } from '../common/config.js';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { MetadataController } from '../metadata/controller.js';
import { InMemoryRaftLog } from './raft/in-memory-raft-log.js';
import { InMemoryQuorumStateStore } from './raft/quorum-state-store.js';
import { FileRaftLog } from './file-raft-log.js';
import { FileQuorumStateStore } from './file-quorum-state-store.js';
import { MetadataStateMachine } from './metadata-state-machine.js';
import { QuorumNode } from './quorum-node.js';
import { parseQuorumVoters } from './quorum-voters.js';
import { BrokerHeartbeats, type BrokerRegistrationInput } from './broker-heartbeats.js';
import { BrokerLifecycle } from './broker-lifecycle.js';
import type { PeerAddress } from './peer-client.js';

export interface MetadataQuorumOptions {
  readonly config: BrokerConfig;
  readonly nodeId: number;
  readonly clusterId: string;
  /** `metadata.log.dir` (or the first log dir); undefined keeps everything in memory. */
  readonly dataDir: string | undefined;
  readonly controller: MetadataController;
  readonly clock: Clock;
  readonly logger: Logger;
}

export class MetadataQuorum {
  readonly voters: ReadonlyMap<number, PeerAddress>;
  readonly node: QuorumNode;
  readonly heartbeats: BrokerHeartbeats;
  private lifecycle: BrokerLifecycle | null = null;
  private readonly raftLog: FileRaftLog | InMemoryRaftLog;

  constructor(private readonly options: MetadataQuorumOptions) {
    const { config } = options;
    this.voters = parseQuorumVoters(config.list('controller.quorum.voters'));
    const dir = options.dataDir === undefined ? undefined : join(options.dataDir, '__cluster_metadata-0');
    this.raftLog = dir ? new FileRaftLog(dir) : new InMemoryRaftLog();
    const store = dir ? new FileQuorumStateStore(dir) : new InMemoryQuorumStateStore();
    this.node = new QuorumNode({
      nodeId: options.nodeId,
      voters: this.voters,
      clusterId: options.clusterId,
      log: this.raftLog,
      store,
      stateMachine: new MetadataStateMachine(options.controller),
      clock: options.clock,
      logger: options.logger,
      config: {
        electionTimeoutMs: config.int('controller.quorum.election.timeout.ms'),
        fetchTimeoutMs: config.int('controller.quorum.fetch.timeout.ms'),
        electionBackoffMaxMs: config.int('controller.quorum.election.backoff.max.ms'),
        requestTimeoutMs: config.int('controller.quorum.request.timeout.ms'),
        appendLingerMs: config.int('controller.quorum.append.linger.ms'),
      },
    });
    this.heartbeats = new BrokerHeartbeats(
      options.controller,
      options.clusterId,
      options.clock,
      config.int('broker.session.timeout.ms'),
      options.logger,
    );
    options.controller.attachQuorum(this.node);
  }

  /** First poll: a lone voter becomes leader and applies the whole committed log before this returns. */
  start(): void {
    this.node.start();
  }

  /** Registers this broker (synchronously on a lone voter) and keeps heartbeating. */
  startBroker(endPoints: () => BrokerRegistrationInput['endPoints']): void {
    this.lifecycle = new BrokerLifecycle({
      nodeId: this.options.nodeId,
      clusterId: this.options.clusterId,
      rack: this.options.config.explicit('broker.rack') ?? null,
      endPoints,
      quorum: this.node,
      heartbeats: this.heartbeats,
      heartbeatIntervalMs: this.options.config.int('broker.heartbeat.interval.ms'),
      logger: this.options.logger,
    });
    this.lifecycle.start();
  }

  stop(): void {
    this.lifecycle?.stop();
    this.node.stop();
    if (this.raftLog instanceof FileRaftLog) this.raftLog.close();
  }
}
