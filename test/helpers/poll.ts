/**
 * Polling for conditions a test cannot be told about by an event (a cluster's metadata seen through a
 * client, a tool's output): asks again every `intervalMs` until the answer is a value.
 */

type Answer<T> = T | null | undefined | false;

/**
 * Resolves with the first value `check` gives (anything but null, undefined or false). A check that
 * throws counts as no value yet (a client in a failover throws). Rejects after `timeoutMs`, naming
 * `what` and the last error.
 */
export async function pollUntil<T>(
  what: string,
  timeoutMs: number,
  check: () => Answer<T> | Promise<Answer<T>>,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await check();
      if (value !== null && value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError === null ? '' : ` (last error: ${String(lastError)})`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * `work`'s value if it settles within `ms`, else null (a rejection rejects). The timer is cleared, so
 * a test process does not stay alive until it fires: a bare `Promise.race` with a `setTimeout` kept
 * test files running up to 90 s after their last assertion.
 */
export async function valueWithin<T>(work: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits for `work` at most `ms` (see valueWithin); true when it settled in time. */
export async function settledWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  return (
    (await valueWithin(
      work.then(() => true as const),
      ms,
    )) === true
  );
}
