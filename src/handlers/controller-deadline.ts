/**
 * The deadline Kafka's controller gives the calls that carry a timeout_ms (CreateTopics, DeleteTopics,
 * CreatePartitions, ElectLeaders, AlterPartitionReassignments): ControllerApis hands QuorumController
 * now + timeout_ms, and its event queue (KafkaEventQueue) fails an event whose deadline is not after
 * the time it comes to run with a TimeoutException, which the request's getErrorResponse answers
 * with REQUEST_TIMED_OUT in every entry. At 0 or below that always happens, and nothing is done; a
 * request that leaves the controller nothing to do (no entry left once duplicates and refused entries
 * are taken out) is answered without the deadline. Gregor does the work at once, so a positive
 * timeout never passes before it starts. The other calls Kafka forwards to the controller
 * (IncrementalAlterConfigs, AlterConfigs, CreateAcls, DeleteAcls, AlterClientQuotas,
 * AlterUserScramCredentials, UpdateFeatures) run there without a deadline, so they have none here.
 */
import type { RequestContext } from '../server/request-context.js';

/** Whether the controller's deadline has passed before it would run the request's work. */
export function deadlinePassed(ctx: RequestContext, timeoutMs: number, reachesController: boolean): boolean {
  return timeoutMs <= 0 && reachesController && ctx.broker.controller.isActive();
}

/** The names that occur exactly once (Kafka's controller APIs answer the others INVALID_REQUEST). */
export function namedOnce(names: Iterable<string>): Set<string> {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const name of names) (seen.has(name) ? repeated : seen).add(name);
  for (const name of repeated) seen.delete(name);
  return seen;
}
