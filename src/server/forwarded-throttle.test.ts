/** The controller's throttle read from forwarded answers (header + body, as the forwarder relays them). */
import t from 'tap';
import { Writer } from '../../protocol/primitives/index.js';
import { writeResponseHeader } from '../../protocol/frame.js';
import { CreateTopicsApi } from '../../protocol/generated/messages/19-create-topics.js';
import { DeleteTopicsApi } from '../../protocol/generated/messages/20-delete-topics.js';
import { CreatePartitionsApi } from '../../protocol/generated/messages/37-create-partitions.js';
import type { ApiDefinition } from '../../protocol/generated/api-definition.js';
import { forwardedThrottleMs } from './forwarded-throttle.js';

function answer<Res>(api: ApiDefinition<unknown, Res>, version: number, response: Res): Buffer {
  const w = new Writer();
  writeResponseHeader(w, api.apiKey, version, 42);
  api.encodeResponse(w, version, response);
  return w.toBuffer();
}

t.test('CreateTopics, DeleteTopics and CreatePartitions answers give their throttle_time_ms', async (t) => {
  const created = { throttleTimeMs: 1234, topics: [] };
  t.equal(forwardedThrottleMs(19, 7, answer(CreateTopicsApi, 7, created)), 1234, 'CreateTopics v7 (flexible)');
  t.equal(forwardedThrottleMs(19, 3, answer(CreateTopicsApi, 3, created)), 1234, 'CreateTopics v3');
  t.equal(forwardedThrottleMs(19, 1, answer(CreateTopicsApi, 1, created)), 0, 'CreateTopics v1 has none');
  t.equal(
    forwardedThrottleMs(20, 6, answer(DeleteTopicsApi, 6, { throttleTimeMs: 500, responses: [] })),
    500,
    'DeleteTopics v6',
  );
  t.equal(
    forwardedThrottleMs(37, 3, answer(CreatePartitionsApi, 3, { throttleTimeMs: 77, results: [] })),
    77,
    'CreatePartitions v3',
  );
  t.equal(forwardedThrottleMs(49, 1, Buffer.alloc(12)), 0, 'other APIs: 0');
  t.equal(forwardedThrottleMs(19, 7, Buffer.alloc(2)), 0, 'an answer that does not read: 0');
});
