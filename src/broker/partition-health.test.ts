/**
 * partitionHealth: how Metadata and DescribeTopicPartitions show a partition's leader. A leader
 * that is fenced (a restarted broker registered again but not yet caught up, keeping its
 * leaderships) or not registered is answered as leader -1 with LEADER_NOT_AVAILABLE, never as a
 * node missing from the brokers list; an unfenced leader is named; a replica whose log dir failed
 * here keeps its answer (leader -1 when it is the leader).
 */
import t from 'tap';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { BrokerImage, PartitionState } from '../metadata/image.js';
import type { ReplicaManager } from './replica-manager.js';
import { partitionHealth } from './partition-health.js';

const broker = (brokerId: number, fenced: boolean): BrokerImage => ({
  brokerId,
  fenced,
  inControlledShutdown: false,
  rack: null,
  endpoints: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9000 + brokerId, securityProtocol: 0 }],
});
const state = (leader: number): PartitionState => ({
  partition: 0,
  leader,
  leaderEpoch: 3,
  partitionEpoch: 5,
  replicas: [1, 2, 3],
  isr: [1, 2, 3],
});
const replicas = (offline: boolean): ReplicaManager => ({ isOffline: () => offline }) as unknown as ReplicaManager;
const brokers = (fenced: number[], registered = [1, 2, 3]): Map<number, BrokerImage> =>
  new Map(registered.map((id) => [id, broker(id, fenced.includes(id))]));

t.test('an unfenced leader is named', async (t) => {
  t.same(partitionHealth(replicas(false), 2, 'x', state(1), brokers([])), {
    errorCode: ErrorCode.NONE,
    leaderId: 1,
    offlineReplicas: [],
  });
  t.same(partitionHealth(replicas(false), 2, 'x', state(1), brokers([3])), {
    errorCode: ErrorCode.NONE,
    leaderId: 1,
    offlineReplicas: [3],
  });
});

t.test('a fenced leader (registered again after a restart, not caught up) is no leader', async (t) => {
  const health = partitionHealth(replicas(false), 2, 'x', state(1), brokers([1]));
  t.same(health, { errorCode: ErrorCode.LEADER_NOT_AVAILABLE, leaderId: -1, offlineReplicas: [1] });
  const listed = [...brokers([1]).values()].filter((b) => !b.fenced).map((b) => b.brokerId);
  t.notOk(listed.includes(health.leaderId), 'the answer never names a leader left out of the brokers list');
});

t.test('a leader that is not registered is no leader', async (t) => {
  t.same(partitionHealth(replicas(false), 2, 'x', state(1), brokers([], [2, 3])), {
    errorCode: ErrorCode.LEADER_NOT_AVAILABLE,
    leaderId: -1,
    offlineReplicas: [1],
  });
});

t.test('no leader stays no leader', async (t) => {
  t.same(partitionHealth(replicas(false), 2, 'x', state(-1), brokers([])), {
    errorCode: ErrorCode.NONE,
    leaderId: -1,
    offlineReplicas: [],
  });
});

t.test('a failed log dir here: leader -1 when this broker leads, else the leader', async (t) => {
  t.same(partitionHealth(replicas(true), 1, 'x', state(1), brokers([])), {
    errorCode: ErrorCode.LEADER_NOT_AVAILABLE,
    leaderId: -1,
    offlineReplicas: [1],
  });
  t.same(partitionHealth(replicas(true), 2, 'x', state(1), brokers([])), {
    errorCode: ErrorCode.NONE,
    leaderId: 1,
    offlineReplicas: [2],
  });
});
