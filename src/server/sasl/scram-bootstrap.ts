/**
 * `bootstrap.scram.credentials`: SCRAM users a fresh cluster starts with, in the syntax of Kafka's
 * `kafka-storage format --add-scram` (which writes them into the bootstrap snapshot), several
 * separated by `;` (a password may not hold `]`): `SCRAM-SHA-256=[name=alice,password=alice-secret];SCRAM-SHA-512=[name=bob,password=b,iterations=8192]`.
 * Read at start-up into UserScramCredentialRecords (a fresh random salt each); the first
 * active controller of a fresh cluster commits them before anything else (metadata-quorum.ts), so
 * credentials changed or deleted later are never overwritten. Every problem is a ConfigError naming
 * the setting. Left out: Kafka's `salt=` and `saltedpassword=` (refused).
 */
import { ConfigError } from '../../common/config.js';
import type { MetadataRecord } from '../../metadata/records.js';
import { SCRAM_MECHANISM_IDS } from '../../metadata/image.js';
import {
  SCRAM_MAX_ITERATIONS,
  SCRAM_MECHANISMS,
  SCRAM_MIN_ITERATIONS,
  type ScramMechanismName,
} from '../../common/scram-credential.js';
import { scramCredentialFromPassword } from './scram.js';

export const BOOTSTRAP_SCRAM_SETTING = 'bootstrap.scram.credentials';

/** The value quoted or bare: Kafka's tool accepts password="a b" as well as password=ab. */
function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

function parseEntry(entry: string): {
  mechanism: ScramMechanismName;
  name: string;
  password: string;
  iterations: number;
} {
  const m = /^([A-Z0-9-]+)=\[(.*)\]$/s.exec(entry);
  if (!m)
    throw new ConfigError(
      `${BOOTSTRAP_SCRAM_SETTING}: "${entry}" is not of the form SCRAM-SHA-256=[name=...,password=...]`,
    );
  const mechanism = m[1]! as ScramMechanismName;
  if (!(SCRAM_MECHANISMS as readonly string[]).includes(mechanism))
    throw new ConfigError(
      `${BOOTSTRAP_SCRAM_SETTING}: ${m[1]} is not a SCRAM mechanism (${SCRAM_MECHANISMS.join(', ')})`,
    );
  const fields = new Map<string, string>();
  for (const part of m[2]!.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new ConfigError(`${BOOTSTRAP_SCRAM_SETTING}: "${part}" in ${mechanism} is not key=value`);
    fields.set(part.slice(0, eq).trim(), unquote(part.slice(eq + 1).trim()));
  }
  for (const key of fields.keys())
    if (!['name', 'password', 'iterations'].includes(key))
      throw new ConfigError(`${BOOTSTRAP_SCRAM_SETTING}: ${key} is not supported (name, password, iterations)`);
  const name = fields.get('name');
  const password = fields.get('password');
  if (!name || password === undefined)
    throw new ConfigError(`${BOOTSTRAP_SCRAM_SETTING}: ${mechanism} needs name= and password=`);
  const iterations = Number(fields.get('iterations') ?? SCRAM_MIN_ITERATIONS);
  if (!Number.isInteger(iterations) || iterations < SCRAM_MIN_ITERATIONS || iterations > SCRAM_MAX_ITERATIONS)
    throw new ConfigError(
      `${BOOTSTRAP_SCRAM_SETTING}: iterations of ${name} must be ${SCRAM_MIN_ITERATIONS}..${SCRAM_MAX_ITERATIONS}`,
    );
  return { mechanism, name, password, iterations };
}

/** The records of the setting's users (none for an empty value). */
export function bootstrapScramRecords(value: string | null | undefined): MetadataRecord[] {
  if (value === null || value === undefined || value.trim() === '') return [];
  const entries = [...value.matchAll(/[^\s;=]+=\[[^\]]*\]/g)].map((m) => m[0]);
  const rest = value.replace(/[^\s;=]+=\[[^\]]*\]/g, '').replace(/[\s;]/g, '');
  if (rest !== '' || entries.length === 0)
    throw new ConfigError(
      `${BOOTSTRAP_SCRAM_SETTING}: expected MECHANISM=[name=...,password=...] entries separated by ';' (left over: "${rest}")`,
    );
  const seen = new Set<string>();
  return entries.map((entry) => {
    const u = parseEntry(entry);
    const key = `${u.mechanism}/${u.name}`;
    if (seen.has(key)) throw new ConfigError(`${BOOTSTRAP_SCRAM_SETTING}: ${u.name} is given twice for ${u.mechanism}`);
    seen.add(key);
    const c = scramCredentialFromPassword(u.mechanism, u.password, u.iterations);
    return {
      type: 'UserScramCredentialRecord',
      data: {
        name: u.name,
        mechanism: SCRAM_MECHANISM_IDS[u.mechanism],
        salt: c.salt,
        storedKey: c.storedKey,
        serverKey: c.serverKey,
        iterations: c.iterations,
      },
    } satisfies MetadataRecord;
  });
}
