/**
 * IdempotentSequences against a fake cluster that answers InitProducerId with ids 1000, 1001, ...:
 * sequences go on per partition; after a failure the identity is asked for again and sequences start
 * from 0, so no sequence is used twice under one producer id (a later batch can never be taken for a
 * duplicate of one whose fate is unknown); an identity dropped while a batch waited is not used.
 */
import t from 'tap';
import type { Cluster } from './cluster.js';
import { IdempotentSequences } from './producer-identity.js';

function fakeCluster(): { cluster: Cluster; asked: () => number } {
  let next = 1000n;
  let asked = 0;
  const connection = {
    versionFor: () => 4,
    send: () => {
      asked++;
      return Promise.resolve({ errorCode: 0, producerId: next++, producerEpoch: 0, throttleTimeMs: 0 });
    },
  };
  const fake = {
    withRetries: <T>(_what: string, attempt: () => Promise<T>) => attempt(),
    any: () => Promise.resolve(connection),
  };
  return { cluster: fake as unknown as Cluster, asked: () => asked };
}

t.test('sequences per partition, a new identity after a failure', async (t) => {
  const { cluster, asked } = fakeCluster();
  const sequences = new IdempotentSequences(cluster);
  const first = await sequences.settledIdentity();
  t.equal(first.producerId, 1000n);
  t.equal(sequences.take(0, 3), 0);
  t.equal(sequences.take(0, 2), 3);
  t.equal(sequences.take(1, 5), 0, 'each partition its own sequence');
  t.equal(sequences.take(0, 1), 5);
  t.equal(asked(), 1, 'one InitProducerId');

  sequences.failed(first);
  const second = await sequences.settledIdentity();
  t.equal(second.producerId, 1001n, 'a new producer id after a failed batch');
  t.equal(sequences.take(0, 1), 0, 'its sequences start from 0');
  t.equal(sequences.take(1, 1), 0);

  sequences.failed(first);
  t.equal((await sequences.settledIdentity()).producerId, 1001n, 'a failure under an old identity changes nothing');
  t.equal(sequences.take(0, 1), 1);
});

t.test('sequences wrap after 2^31 - 1, as the broker expects', async (t) => {
  const { cluster } = fakeCluster();
  const sequences = new IdempotentSequences(cluster);
  await sequences.settledIdentity();
  t.equal(sequences.take(0, 0x7fffffff), 0);
  t.equal(sequences.take(0, 2), 0x7fffffff);
  t.equal(sequences.take(0, 1), 1);
});

t.test('two partitions failing side by side ask for one new identity', async (t) => {
  const { cluster, asked } = fakeCluster();
  const sequences = new IdempotentSequences(cluster);
  const identity = await sequences.settledIdentity();
  sequences.failed(identity);
  sequences.failed(identity);
  const [a, b] = await Promise.all([sequences.settledIdentity(), sequences.settledIdentity()]);
  t.equal(a, b);
  t.equal(asked(), 2);
});
