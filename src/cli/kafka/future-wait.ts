/**
 * A tool's own bound on waiting for an admin call's answer, as Kafka's tools call
 * KafkaFuture.get(timeout, unit): kafka-configs waits 30 s for a describe (ConfigCommand's
 * describeConfigs / describeClientQuotas / describeUserScramCredentials) and 60 s for a change,
 * whatever default.api.timeout.ms (the call's own budget, 60 s by default) would allow; a config
 * change's call has a budget of its own, 30 s (AlterConfigsOptions.timeoutMs). When the
 * bound passes first, the tool fails with java.util.concurrent.TimeoutException (no message); when
 * the call's budget passes first, with the admin client's TimeoutException, as on Kafka.
 */

/** Kafka's tools print this exception's class alone: CompletableFuture.get gives it no message. */
export class FutureWaitExpired extends Error {
  constructor(readonly waitedMs: number) {
    super('java.util.concurrent.TimeoutException');
    this.name = 'FutureWaitExpired';
  }
}

/** `work`'s answer, or FutureWaitExpired once `ms` have passed (the call itself is left to end on its own). */
export async function waitAtMost<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FutureWaitExpired(ms)), ms);
  });
  // The call may fail after the wait has ended: that failure is no longer anyone's to report.
  work.catch(() => undefined);
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** ConfigCommand's waits: .get(30, SECONDS) on a describe, .get(60, SECONDS) on a change. */
export const CONFIG_DESCRIBE_WAIT_MS = 30_000;
export const CONFIG_ALTER_WAIT_MS = 60_000;
/** ConfigCommand's own budget of an AlterConfigs / IncrementalAlterConfigs call: AlterConfigsOptions.timeoutMs(30000). */
export const CONFIG_ALTER_CALL_TIMEOUT_MS = 30_000;
