/**
 * SCRAM credential administration as Kafka's controller does it (ScramControlManager):
 * AlterUserScramCredentials upserts and deletes per user and mechanism, checked first
 * (empty user, unknown mechanism, iterations outside 4096..16384, the same user and
 * mechanism twice, deleting what does not exist), and a user with any problem has none of
 * its changes applied. Upserts carry the client's salt and salted password; the stored and
 * server keys are derived here. DescribeUserScramCredentials lists mechanisms and
 * iterations (never keys) of the named users, or of every user.
 */
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { SCRAM_MECHANISM_IDS, scramMechanismName, type MetadataImage } from '../metadata/image.js';
import type { MetadataRecord } from '../metadata/records.js';
import { SCRAM_MAX_ITERATIONS, SCRAM_MIN_ITERATIONS, scramCredentialFromSaltedPassword } from '../server/sasl/scram.js';

export interface ScramUpsertion {
  name: string;
  mechanism: number;
  iterations: number;
  salt: Buffer;
  saltedPassword: Buffer;
}
export interface ScramDeletion {
  name: string;
  mechanism: number;
}
export interface UserResult {
  user: string;
  errorCode: number;
  errorMessage: string | null;
}

export function planScramAlterations(
  image: MetadataImage,
  deletions: readonly ScramDeletion[],
  upsertions: readonly ScramUpsertion[],
): { results: UserResult[]; records: MetadataRecord[] } {
  const users: string[] = [];
  const problems = new Map<string, UserResult>();
  const recordsByUser = new Map<string, MetadataRecord[]>();
  const seen = new Set<string>();
  const note = (user: string, errorCode: number, errorMessage: string): void => {
    if (!problems.has(user)) problems.set(user, { user, errorCode, errorMessage });
  };
  const touch = (user: string): void => {
    if (!recordsByUser.has(user)) {
      users.push(user);
      recordsByUser.set(user, []);
    }
  };
  const check = (name: string, mechanismId: number): boolean => {
    touch(name);
    if (name === '') return (note(name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Username must not be empty'), false);
    const mechanism = scramMechanismName(mechanismId);
    if (!mechanism) return (note(name, ErrorCode.UNSUPPORTED_SASL_MECHANISM, 'Unknown SCRAM mechanism'), false);
    const key = `${mechanismId}\u0000${name}`;
    if (seen.has(key))
      return (
        note(name, ErrorCode.DUPLICATE_RESOURCE, 'A user credential cannot be altered twice in the same request'),
        false
      );
    seen.add(key);
    return true;
  };
  for (const d of deletions) {
    if (!check(d.name, d.mechanism)) continue;
    const mechanism = scramMechanismName(d.mechanism)!;
    if (!image.scramCredentials.get(mechanism)?.has(d.name)) {
      note(d.name, ErrorCode.RESOURCE_NOT_FOUND, 'Attempt to delete a user credential that does not exist');
      continue;
    }
    recordsByUser
      .get(d.name)!
      .push({ type: 'RemoveUserScramCredentialRecord', data: { name: d.name, mechanism: d.mechanism } });
  }
  for (const u of upsertions) {
    if (!check(u.name, u.mechanism)) continue;
    if (u.iterations < SCRAM_MIN_ITERATIONS) {
      note(u.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too few iterations');
      continue;
    }
    if (u.iterations > SCRAM_MAX_ITERATIONS) {
      note(u.name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too many iterations');
      continue;
    }
    const mechanism = scramMechanismName(u.mechanism)!;
    const c = scramCredentialFromSaltedPassword(mechanism, u.saltedPassword, u.salt, u.iterations);
    recordsByUser.get(u.name)!.push({
      type: 'UserScramCredentialRecord',
      data: {
        name: u.name,
        mechanism: SCRAM_MECHANISM_IDS[mechanism],
        salt: c.salt,
        storedKey: c.storedKey,
        serverKey: c.serverKey,
        iterations: c.iterations,
      },
    });
  }
  const records: MetadataRecord[] = [];
  const results = users.map((user) => {
    const problem = problems.get(user);
    if (problem) return problem;
    records.push(...recordsByUser.get(user)!);
    return { user, errorCode: ErrorCode.NONE, errorMessage: null };
  });
  return { results, records };
}

export interface DescribedUser extends UserResult {
  credentialInfos: Array<{ mechanism: number; iterations: number }>;
}

export function describeScramCredentials(image: MetadataImage, names: readonly string[] | null): DescribedUser[] {
  const credentialsOf = (user: string): Array<{ mechanism: number; iterations: number }> => {
    const out: Array<{ mechanism: number; iterations: number }> = [];
    for (const [mechanism, users] of image.scramCredentials) {
      const c = users.get(user);
      if (c) out.push({ mechanism: SCRAM_MECHANISM_IDS[mechanism], iterations: c.iterations });
    }
    return out.sort((a, b) => a.mechanism - b.mechanism);
  };
  if (names === null || names.length === 0) {
    const all = new Set<string>();
    for (const users of image.scramCredentials.values()) for (const user of users.keys()) all.add(user);
    return [...all]
      .sort()
      .map((user) => ({ user, errorCode: ErrorCode.NONE, errorMessage: null, credentialInfos: credentialsOf(user) }));
  }
  const counts = new Map<string, number>();
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
  return [...counts.keys()].map((user) => {
    if (counts.get(user)! > 1)
      return {
        user,
        errorCode: ErrorCode.DUPLICATE_RESOURCE,
        errorMessage: 'Cannot describe SCRAM credentials for the same user twice in a single request',
        credentialInfos: [],
      };
    const credentialInfos = credentialsOf(user);
    if (credentialInfos.length === 0)
      return {
        user,
        errorCode: ErrorCode.RESOURCE_NOT_FOUND,
        errorMessage: 'Attempt to describe a user credential that does not exist',
        credentialInfos: [],
      };
    return { user, errorCode: ErrorCode.NONE, errorMessage: null, credentialInfos };
  });
}
