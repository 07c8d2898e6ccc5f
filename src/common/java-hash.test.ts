/**
 * java-hash.ts against values a JVM gives: String.hashCode, Objects.hash of a map, HashMap table
 * sizes after puts, and iteration order (bucket, then insertion order within a bucket).
 */
import t from 'tap';
import { javaHashMapCapacity, javaHashMapOrder, javaStringHashCode, javaStringMapHash } from './java-hash.js';

t.test('String.hashCode and Objects.hash(map)', async (t) => {
  t.equal(javaStringHashCode('user'), 3599307);
  t.equal(javaStringHashCode('client-id'), -1904137635);
  t.equal(javaStringHashCode(null), 0);
  // 31 + ("user".hashCode() ^ "User1".hashCode())
  t.equal(javaStringMapHash([['user', 'User1']]), 81098380);
  t.equal(javaStringMapHash([['user', null]]), 31 + 3599307);
});

t.test('HashMap table sizes', async (t) => {
  t.equal(javaHashMapCapacity(3), 16, 'new HashMap<>()');
  t.equal(javaHashMapCapacity(13), 32, 'past the threshold of 12');
  t.equal(javaHashMapCapacity(1, 0), 2, 'new HashMap<>(0): 1, then 2 at the first put');
  t.equal(javaHashMapCapacity(2, 2), 4);
  t.equal(javaHashMapCapacity(3, 3), 4);
  t.equal(javaHashMapCapacity(4, 0), 8);
});

t.test('HashMap iteration order', async (t) => {
  const keys = ['producer_byte_rate', 'consumer_byte_rate', 'request_percentage'];
  const order = (capacity: number): string[] => javaHashMapOrder(keys, javaStringHashCode, capacity);
  // table of 16: request (7), producer (11), consumer (12)
  t.same(order(16), ['request_percentage', 'producer_byte_rate', 'consumer_byte_rate']);
  // table of 4: consumer (0), then producer and request share bucket 3 in insertion order
  t.same(order(4), ['consumer_byte_rate', 'producer_byte_rate', 'request_percentage']);
  t.same(javaHashMapOrder(['user', 'client-id'], javaStringHashCode, 4), ['client-id', 'user']);
});
