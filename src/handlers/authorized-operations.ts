/**
 * Authorized-operation bit fields, as Metadata and DescribeCluster report them when
 * asked. Without ACLs every operation on a resource is allowed. Bits are Kafka's
 * AclOperation codes.
 */
const READ = 3,
  WRITE = 4,
  CREATE = 5,
  DELETE = 6,
  ALTER = 7,
  DESCRIBE = 8,
  CLUSTER_ACTION = 9,
  DESCRIBE_CONFIGS = 10,
  ALTER_CONFIGS = 11,
  IDEMPOTENT_WRITE = 12;

const bits = (...ops: number[]): number => ops.reduce((acc, op) => acc | (1 << op), 0);

export const TOPIC_OPERATIONS = bits(READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS);
export const CLUSTER_OPERATIONS = bits(
  CREATE,
  ALTER,
  DESCRIBE,
  CLUSTER_ACTION,
  DESCRIBE_CONFIGS,
  ALTER_CONFIGS,
  IDEMPOTENT_WRITE,
);
export const GROUP_OPERATIONS = bits(READ, DELETE, DESCRIBE);
/** Sent when the client did not ask for authorized operations. */
export const OPERATIONS_NOT_REQUESTED = -2147483648;
