/**
 * The controller's throttle in a forwarded answer: for the APIs the controller mutation quota
 * throttles (CreateTopics v2+, DeleteTopics v1+, CreatePartitions, whose responses all start with
 * throttle_time_ms), the value the active controller answered, so that the forwarding broker mutes
 * its client's connection for it after relaying the answer, as Kafka's forwarding broker does. 0
 * for other APIs and for answers that do not read.
 */
import { readResponseHeader } from '../../protocol/frame.js';
import { Reader } from '../../protocol/primitives/index.js';

/** API key → the first version whose response starts with throttle_time_ms. */
const THROTTLED_FROM: ReadonlyMap<number, number> = new Map([
  [19, 2],
  [20, 1],
  [37, 0],
]);

export function forwardedThrottleMs(apiKey: number, apiVersion: number, answer: Buffer): number {
  const from = THROTTLED_FROM.get(apiKey);
  if (from === undefined || apiVersion < from) return 0;
  try {
    const r = new Reader(answer);
    readResponseHeader(r, apiKey, apiVersion);
    return Math.max(0, r.int32());
  } catch {
    return 0;
  }
}
