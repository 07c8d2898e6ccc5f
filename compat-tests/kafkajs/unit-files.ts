/**
 * Tells the suite's spec files that need a live broker from those that do not, by what they use:
 * a spec that calls testHelpers' cluster, connection or topic helpers (createCluster,
 * connectionOpts, createTopic, the broker lists, saslEntries, ...) talks to a broker. The suite
 * has no switch of its own for this; every broker address is hard-coded in testHelpers.
 *
 * A static look, so a file is "broker" as a whole even when only some of its tests connect; the
 * report counts per test anyway. `--unit` runs the other files without starting Gregor.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const BROKER_HELPERS =
  /\b(createCluster|createConnectionPool|createConnectionBuilder|connectionOpts|sslConnectionOpts|saslConnectionOpts|saslSCRAM\w*ConnectionOpts|saslOAuthBearerConnectionOpts|saslEntries|createTopic|addPartitions|plainTextBrokers|sslBrokers|saslBrokers)\b/;

export function needsBroker(source: string): boolean {
  return BROKER_HELPERS.test(source);
}

const SPEC = /(\/__tests__\/.*\.spec\.js|(\.|\/)spec\.js)$/;

/** Every spec file under root/src, relative to root, sorted, as jest's testRegex finds them. */
export function specFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules') continue;
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(join(dir, entry.name), childRel);
      else if (SPEC.test(`/${childRel}`)) out.push(childRel);
    }
  };
  walk(join(root, 'src'), 'src');
  return out.sort();
}

export interface SpecClasses {
  unit: string[];
  broker: string[];
}

export function classifySpecFiles(root: string): SpecClasses {
  const unit: string[] = [];
  const broker: string[] = [];
  for (const file of specFiles(root)) (needsBroker(readFileSync(join(root, file), 'utf8')) ? broker : unit).push(file);
  return { unit, broker };
}
