/**
 * The fetcher's side of KIP-227, as Kafka's FetchSessionHandler: a full fetch first, then
 * incremental fetches carrying only new or changed partitions and forgetting dropped ones;
 * session errors, failed requests and answers that do not match the session start over.
 */
import t from 'tap';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import {
  defaultFetchResponse,
  defaultFetchResponsePartitionData,
  type FetchResponse,
} from '../../protocol/generated/messages/01-fetch.js';
import { FollowerFetchSession, type SessionPartition } from './follower-fetch-session.js';

const part = (partition: number, fetchOffset = 0, over: Partial<SessionPartition> = {}): SessionPartition => ({
  topic: 't',
  topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
  partition,
  fetchOffset,
  logStartOffset: 0,
  currentLeaderEpoch: 1,
  lastFetchedEpoch: 1,
  partitionMaxBytes: 1000,
  ...over,
});

function answer(sessionId: number, partitions: number[], errorCode: number = ErrorCode.NONE): FetchResponse {
  return {
    ...defaultFetchResponse(),
    errorCode,
    sessionId,
    responses:
      partitions.length === 0
        ? []
        : [
            {
              topic: 't',
              topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
              partitions: partitions.map((p) => ({ ...defaultFetchResponsePartitionData(), partitionIndex: p })),
            },
          ],
  };
}

const sent = (f: { toSend: SessionPartition[] }): number[] => f.toSend.map((p) => p.partition);

t.test('full first, then incremental with only what changed', async (t) => {
  const s = new FollowerFetchSession();
  const first = s.build([part(0), part(1), part(2)]);
  t.same([first.sessionId, first.sessionEpoch, first.full], [0, 0, true], 'a new session is asked for');
  t.same(sent(first), [0, 1, 2]);
  t.ok(s.handleResponse(answer(42, [0, 1, 2])));
  t.same(s.next, { sessionId: 42, sessionEpoch: 1 });

  const second = s.build([part(0, 10), part(1), part(2)]);
  t.same([second.sessionId, second.sessionEpoch, second.full], [42, 1, false]);
  t.same(sent(second), [0], 'only the partition whose fetch offset moved');
  t.same(second.toForget, []);
  t.ok(s.handleResponse(answer(42, [0])));

  const third = s.build([part(0, 10), part(2, 0, { currentLeaderEpoch: 2 }), part(3)]);
  t.same(third.sessionEpoch, 2);
  t.same(sent(third), [2, 3], 'a changed leader epoch and a new partition');
  t.same(
    third.toForget,
    [{ topic: 't', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partition: 1 }],
    'the partition no longer wanted is forgotten',
  );
  t.ok(s.handleResponse(answer(42, [])), 'an empty incremental answer is fine');
  t.equal(s.size, 3);

  const idle = s.build([part(0, 10), part(2, 0, { currentLeaderEpoch: 2 }), part(3)]);
  t.same([sent(idle), idle.toForget, idle.sessionEpoch], [[], [], 3], 'nothing changed: an empty request');
});

t.test('session errors and failures go back to a full fetch', async (t) => {
  const s = new FollowerFetchSession();
  s.build([part(0), part(1)]);
  s.handleResponse(answer(7, [0, 1]));
  s.build([part(0, 5), part(1)]);
  t.notOk(s.handleResponse(answer(0, [], ErrorCode.INVALID_FETCH_SESSION_EPOCH)));
  let next = s.build([part(0, 5), part(1)]);
  t.same([next.sessionId, next.sessionEpoch, next.full], [7, 0, true], 'closes the session and asks for a new one');
  t.same(sent(next), [0, 1], 'every partition again');
  t.ok(s.handleResponse(answer(8, [0, 1])));

  s.build([part(0, 6), part(1)]);
  t.notOk(s.handleResponse(answer(0, [], ErrorCode.FETCH_SESSION_ID_NOT_FOUND)));
  next = s.build([part(0, 6), part(1)]);
  t.same([next.sessionId, next.sessionEpoch], [0, 0], 'an unknown session starts over from no session');
  t.ok(s.handleResponse(answer(9, [0, 1])));

  s.build([part(0, 7), part(1)]);
  s.handleError();
  next = s.build([part(0, 7), part(1)]);
  t.same([next.sessionId, next.sessionEpoch, next.full], [9, 0, true], 'a failed request: full again');
});

t.test('answers that do not match the session are not used', async (t) => {
  const s = new FollowerFetchSession();
  s.build([part(0), part(1)]);
  t.notOk(s.handleResponse(answer(3, [0])), 'a full answer leaving out a partition');
  t.same(s.next, { sessionId: 0, sessionEpoch: 0 });
  s.build([part(0), part(1)]);
  t.ok(s.handleResponse(answer(3, [0, 1])));
  s.build([part(0, 1), part(1)]);
  t.notOk(s.handleResponse(answer(3, [0, 5])), 'an incremental answer naming a partition outside the session');
  t.same(s.next, { sessionId: 3, sessionEpoch: 0 });
});

t.test('a leader without room for a session: every fetch stays full', async (t) => {
  const s = new FollowerFetchSession();
  s.build([part(0)]);
  t.ok(s.handleResponse(answer(0, [0])));
  const next = s.build([part(0, 3)]);
  t.same([next.sessionId, next.sessionEpoch, next.full], [0, 0, true]);
  t.ok(s.handleResponse(answer(11, [0])));
  s.build([part(0, 4)]);
  t.ok(s.handleResponse(answer(0, [0])), 'the leader closed the session in an incremental answer');
  t.same(s.next, { sessionId: 0, sessionEpoch: 0 });
});

t.test('each answered incremental fetch moves the epoch on by one', async (t) => {
  const s = new FollowerFetchSession();
  s.build([part(0)]);
  s.handleResponse(answer(5, [0]));
  for (let i = 0; i < 3; i++) {
    s.build([part(0)]);
    s.handleResponse(answer(5, []));
  }
  t.same(s.next.sessionEpoch, 4);
});
