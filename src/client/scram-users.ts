/**
 * SCRAM users through the admin APIs: DescribeUserScramCredentials (50) and
 * AlterUserScramCredentials (51), both v0. As Kafka's admin client does, the salted password
 * is computed here (PBKDF2 from node:crypto with a random 32-byte salt) and only the salt,
 * iteration count and salted password are sent; the password never leaves the client.
 */
import { nodeCrypto } from '../common/node-crypto.js';
import { saltedPassword } from '../server/sasl/scram.js';
import { DescribeUserScramCredentialsApi } from '../../protocol/generated/messages/50-describe-user-scram-credentials.js';
import { AlterUserScramCredentialsApi } from '../../protocol/generated/messages/51-alter-user-scram-credentials.js';
import type { Cluster } from './cluster.js';
import { check } from './errors.js';

export const SCRAM_MECHANISM_CODES = { 'SCRAM-SHA-256': 1, 'SCRAM-SHA-512': 2 } as const;
export type ScramMechanism = keyof typeof SCRAM_MECHANISM_CODES;
export const DEFAULT_SCRAM_ITERATIONS = 4096;

export interface ScramUser {
  user: string;
  mechanism: string;
  iterations: number;
}

function mechanismName(code: number): string {
  const entry = Object.entries(SCRAM_MECHANISM_CODES).find(([, c]) => c === code);
  return entry ? entry[0] : `UNKNOWN(${code})`;
}

/** Every SCRAM credential of the given users (all users when null), one row per user and mechanism. */
export async function describeScramUsers(cluster: Cluster, users: string[] | null): Promise<ScramUser[]> {
  const connection = await cluster.any();
  const response = await connection.send(DescribeUserScramCredentialsApi, {
    users: users === null ? null : users.map((name) => ({ name })),
  });
  check(response.errorCode, 'DescribeUserScramCredentials', response.errorMessage);
  const rows: ScramUser[] = [];
  for (const result of response.results) {
    check(result.errorCode, `user ${result.user}`, result.errorMessage);
    for (const info of result.credentialInfos)
      rows.push({ user: result.user, mechanism: mechanismName(info.mechanism), iterations: info.iterations });
  }
  return rows.sort((a, b) => a.user.localeCompare(b.user) || a.mechanism.localeCompare(b.mechanism));
}

/** Creates or replaces the user's credential for one mechanism. */
export async function upsertScramUser(
  cluster: Cluster,
  user: string,
  mechanism: ScramMechanism,
  password: string,
  iterations = DEFAULT_SCRAM_ITERATIONS,
): Promise<void> {
  const salt = nodeCrypto().randomBytes(32);
  const salted = saltedPassword(mechanism, password, salt, iterations);
  const connection = await cluster.any();
  const response = await connection.send(AlterUserScramCredentialsApi, {
    deletions: [],
    upsertions: [{ name: user, mechanism: SCRAM_MECHANISM_CODES[mechanism], iterations, salt, saltedPassword: salted }],
  });
  for (const result of response.results) check(result.errorCode, `user ${result.user}`, result.errorMessage);
}

/** Deletes the user's credential for one mechanism. */
export async function deleteScramUser(cluster: Cluster, user: string, mechanism: ScramMechanism): Promise<void> {
  const connection = await cluster.any();
  const response = await connection.send(AlterUserScramCredentialsApi, {
    deletions: [{ name: user, mechanism: SCRAM_MECHANISM_CODES[mechanism] }],
    upsertions: [],
  });
  for (const result of response.results) check(result.errorCode, `user ${result.user}`, result.errorMessage);
}
