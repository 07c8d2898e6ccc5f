/**
 * Checks of config resource names that must be this broker's node id, with Kafka's
 * messages (the answer is INVALID_REQUEST).
 */

/** Returns an error message, or null when `name` is an integer (any node's id). */
export function brokerIdFormProblem(name: string): string | null {
  return /^-?\d+$/.test(name) ? null : `Broker id must be an integer, but it is: ${name}`;
}

/** Returns an error message, or null when `name` is this node's id. */
export function checkBrokerResourceName(name: string, nodeId: number, emptyAllowed: boolean): string | null {
  const form = brokerIdFormProblem(name);
  if (form !== null) return form;
  if (Number(name) !== nodeId) {
    return emptyAllowed
      ? `Unexpected broker id, expected ${nodeId} or empty string, but received ${name}`
      : `Unexpected broker id, expected ${nodeId}, but received ${name}`;
  }
  return null;
}
