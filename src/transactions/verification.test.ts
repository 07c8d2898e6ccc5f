import t from 'tap';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { AddPartitionsToTxnResponse } from '../../protocol/generated/messages/24-add-partitions-to-txn.js';
import type { MetadataImage } from '../metadata/image.js';
import { TRANSACTION_STATE_TOPIC } from '../broker/internal-topics.js';
import { transactionCoordinatorOf, verifyWithCoordinator, type VerifierDeps } from './verification.js';

/** A metadata image with only `__transaction_state` (one partition led by `leader`), or none. */
function imageWith(leader: number | null): MetadataImage {
  const topicsByName = new Map<string, { partitions: Map<number, { leader: number }> }>();
  if (leader !== null) topicsByName.set(TRANSACTION_STATE_TOPIC, { partitions: new Map([[0, { leader }]]) });
  return { topicsByName } as unknown as MetadataImage;
}

const answer = (partitionErrorCode: number, errorCode = 0): AddPartitionsToTxnResponse => ({
  throttleTimeMs: 0,
  errorCode,
  resultsByTopicV3AndBelow: [],
  resultsByTransaction: [
    {
      transactionalId: 'tx',
      topicResults: [{ name: 'out', resultsByPartition: [{ partitionIndex: 0, partitionErrorCode }] }],
    },
  ],
});

function deps(leader: number | null, remote: () => Promise<AddPartitionsToTxnResponse>) {
  const sent: Array<{ to: number; verifyOnly: boolean; version: number }> = [];
  const local: string[] = [];
  const d: VerifierDeps = {
    nodeId: 1,
    image: () => imageWith(leader),
    channel: {
      request: <Req, Res>(to: number, _api: unknown, version: number, body: Req): Promise<Res> => {
        const req = body as unknown as { transactions: Array<{ verifyOnly: boolean }> };
        sent.push({ to, version, verifyOnly: req.transactions[0]!.verifyOnly });
        return remote() as unknown as Promise<Res>;
      },
    },
    verifyLocally: (id, _pid, _epoch, topic, partition) => {
      local.push(`${id}:${topic}-${partition}`);
      return ErrorCode.NONE;
    },
    addLocally: (question) => {
      local.push(`add ${question.transactionalId}:${question.topic}-${question.partition}`);
      return Promise.resolve(ErrorCode.NONE);
    },
  };
  return { d, sent, local };
}

const q = { transactionalId: 'tx', producerId: 9n, producerEpoch: 2, topic: 'out', partition: 0 };

t.test('the coordinator is asked in place when this broker leads the transactional id partition', async (t) => {
  const h = deps(1, () => Promise.reject(new Error('not used')));
  t.equal(transactionCoordinatorOf(imageWith(1), 'tx'), 1);
  t.equal(await verifyWithCoordinator(h.d, q), ErrorCode.NONE);
  t.same(h.local, ['tx:out-0']);
  t.same(h.sent, []);
});

t.test('another broker is asked with AddPartitionsToTxn v4 verifyOnly; its answer is passed through', async (t) => {
  for (const code of [ErrorCode.NONE, ErrorCode.INVALID_TXN_STATE, ErrorCode.INVALID_PRODUCER_EPOCH]) {
    const h = deps(3, () => Promise.resolve(answer(code)));
    t.equal(await verifyWithCoordinator(h.d, q), code);
    t.same(h.sent, [{ to: 3, version: 4, verifyOnly: true }]);
  }
});

t.test('a coordinator that cannot answer is NOT_ENOUGH_REPLICAS (producers retry)', async (t) => {
  const cases: Array<[string, number | null, () => Promise<AddPartitionsToTxnResponse>]> = [
    ['no __transaction_state', null, () => Promise.resolve(answer(0))],
    ['no leader', -1, () => Promise.resolve(answer(0))],
    ['unreachable', 3, () => Promise.reject(new Error('refused'))],
    ['NOT_COORDINATOR', 3, () => Promise.resolve(answer(0, ErrorCode.NOT_COORDINATOR))],
    ['CONCURRENT_TRANSACTIONS', 3, () => Promise.resolve(answer(ErrorCode.CONCURRENT_TRANSACTIONS))],
    ['COORDINATOR_LOAD_IN_PROGRESS', 3, () => Promise.resolve(answer(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS))],
  ];
  for (const [name, leader, remote] of cases) {
    const h = deps(leader, remote);
    t.equal(await verifyWithCoordinator(h.d, q), ErrorCode.NOT_ENOUGH_REPLICAS, name);
  }
});

t.test(
  'transaction version 2 adds instead of verifying: in place, or AddPartitionsToTxn v5 without verifyOnly',
  async (t) => {
    const here = deps(1, () => Promise.reject(new Error('not used')));
    t.equal(await verifyWithCoordinator(here.d, { ...q, add: true }), ErrorCode.NONE);
    t.same(here.local, ['add tx:out-0'], 'the local coordinator adds the partition');
    for (const code of [ErrorCode.NONE, ErrorCode.INVALID_PRODUCER_ID_MAPPING]) {
      const h = deps(3, () => Promise.resolve(answer(code)));
      t.equal(await verifyWithCoordinator(h.d, { ...q, add: true }), code);
      t.same(h.sent, [{ to: 3, version: 5, verifyOnly: false }]);
    }
    const fenced = deps(3, () => Promise.resolve(answer(ErrorCode.PRODUCER_FENCED)));
    t.equal(
      await verifyWithCoordinator(fenced.d, { ...q, add: true }),
      ErrorCode.INVALID_PRODUCER_EPOCH,
      'PRODUCER_FENCED reaches producers as INVALID_PRODUCER_EPOCH, as Kafka',
    );
    const busy = deps(3, () => Promise.resolve(answer(ErrorCode.CONCURRENT_TRANSACTIONS)));
    t.equal(
      await verifyWithCoordinator(busy.d, { ...q, add: true }),
      ErrorCode.NOT_ENOUGH_REPLICAS,
      'a transaction still completing: retriable',
    );
  },
);
