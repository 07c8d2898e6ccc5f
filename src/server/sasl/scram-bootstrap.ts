/**
 * `bootstrap.scram.credentials`: SCRAM users a fresh cluster starts with, in the syntax of Kafka's
 * `kafka-storage format --add-scram` (which writes them into the bootstrap snapshot), several
 * separated by `;` (a password may not hold `]`): `SCRAM-SHA-256=[name=alice,password=alice-secret];SCRAM-SHA-512=[name=bob,password=b,iterations=8192]`.
 * Read at start-up into UserScramCredentialRecords (a fresh random salt each); the first
 * active controller of a fresh cluster commits them before anything else (metadata-quorum.ts), so
 * credentials changed or deleted later are never overwritten. Every problem is a ConfigError naming
 * the setting. Left out: Kafka's `salt=` and `saltedpassword=` (refused).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

function parseEntry(
  entry: string,
  label: string,
): {
  mechanism: ScramMechanismName;
  name: string;
  password: string;
  iterations: number;
} {
  const m = /^([A-Z0-9-]+)=\[(.*)\]$/s.exec(entry);
  if (!m) throw new ConfigError(`${label}: "${entry}" is not of the form SCRAM-SHA-256=[name=...,password=...]`);
  const mechanism = m[1]! as ScramMechanismName;
  if (!(SCRAM_MECHANISMS as readonly string[]).includes(mechanism))
    throw new ConfigError(`${label}: ${m[1]} is not a SCRAM mechanism (${SCRAM_MECHANISMS.join(', ')})`);
  const fields = new Map<string, string>();
  for (const part of m[2]!.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new ConfigError(`${label}: "${part}" in ${mechanism} is not key=value`);
    fields.set(part.slice(0, eq).trim(), unquote(part.slice(eq + 1).trim()));
  }
  for (const key of fields.keys())
    if (!['name', 'password', 'iterations'].includes(key))
      throw new ConfigError(`${label}: ${key} is not supported (name, password, iterations)`);
  const name = fields.get('name');
  const password = fields.get('password');
  if (!name || password === undefined) throw new ConfigError(`${label}: ${mechanism} needs name= and password=`);
  const iterations = Number(fields.get('iterations') ?? SCRAM_MIN_ITERATIONS);
  if (!Number.isInteger(iterations) || iterations < SCRAM_MIN_ITERATIONS || iterations > SCRAM_MAX_ITERATIONS)
    throw new ConfigError(`${label}: iterations of ${name} must be ${SCRAM_MIN_ITERATIONS}..${SCRAM_MAX_ITERATIONS}`);
  return { mechanism, name, password, iterations };
}

/**
 * The records of the setting's users (none for an empty value); `label` names the source in
 * messages (the setting, or `--add-scram` of kafka-storage format).
 */
export function bootstrapScramRecords(
  value: string | null | undefined,
  label: string = BOOTSTRAP_SCRAM_SETTING,
): MetadataRecord[] {
  if (value === null || value === undefined || value.trim() === '') return [];
  const entries = [...value.matchAll(/[^\s;=]+=\[[^\]]*\]/g)].map((m) => m[0]);
  const rest = value.replace(/[^\s;=]+=\[[^\]]*\]/g, '').replace(/[\s;]/g, '');
  if (rest !== '' || entries.length === 0)
    throw new ConfigError(
      `${label}: expected MECHANISM=[name=...,password=...] entries separated by ';' (left over: "${rest}")`,
    );
  const seen = new Set<string>();
  return entries.map((entry) => {
    const u = parseEntry(entry, label);
    const key = `${u.mechanism}/${u.name}`;
    if (seen.has(key)) throw new ConfigError(`${label}: ${u.name} is given twice for ${u.mechanism}`);
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

/**
 * What `kafka-storage format --add-scram` leaves in the metadata log dir for the first start (Kafka
 * writes them into its bootstrap.checkpoint): the credentials' records, salted and hashed, one JSON
 * object a line. The first active controller of a fresh cluster commits them with those of
 * bootstrap.scram.credentials; afterwards the file is never read again.
 */
export const BOOTSTRAP_SCRAM_FILE = 'bootstrap.scram.json';

interface StoredCredential {
  name: string;
  mechanism: number;
  salt: string;
  storedKey: string;
  serverKey: string;
  iterations: number;
}

export function writeBootstrapScramFile(metadataDir: string, records: readonly MetadataRecord[]): void {
  const lines = records.map((r) => {
    if (r.type !== 'UserScramCredentialRecord') throw new Error(`not a SCRAM credential: ${r.type}`);
    const d = r.data;
    const stored: StoredCredential = {
      name: d.name,
      mechanism: d.mechanism,
      salt: d.salt.toString('base64'),
      storedKey: d.storedKey.toString('base64'),
      serverKey: d.serverKey.toString('base64'),
      iterations: d.iterations,
    };
    return JSON.stringify(stored);
  });
  writeFileSync(join(metadataDir, BOOTSTRAP_SCRAM_FILE), `${lines.join('\n')}\n`, { mode: 0o600 });
}

/** The records kafka-storage format --add-scram left in the metadata log dir (none without the file). */
export function readBootstrapScramFile(metadataDir: string): MetadataRecord[] {
  const file = join(metadataDir, BOOTSTRAP_SCRAM_FILE);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const c = JSON.parse(line) as StoredCredential;
      return {
        type: 'UserScramCredentialRecord',
        data: {
          name: c.name,
          mechanism: c.mechanism,
          salt: Buffer.from(c.salt, 'base64'),
          storedKey: Buffer.from(c.storedKey, 'base64'),
          serverKey: Buffer.from(c.serverKey, 'base64'),
          iterations: c.iterations,
        },
      } satisfies MetadataRecord;
    });
}
