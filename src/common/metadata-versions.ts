/**
 * The version strings Kafka 3.9's MetadataVersionValidator accepts, for `inter.broker.protocol.version`,
 * `log.message.format.version` and the topic config `message.format.version` (which have no effect in
 * KRaft, as in Kafka, but are still checked): every MetadataVersion's full name ("0.8.2", "0.10.0-IV1",
 * "3.9-IV0", "4.0-IV1") and the release of each production one ("0.10.0", "2.8", "3.9"; 4.0 was not
 * production in 3.9), looked up as MetadataVersion.fromVersionString does: the first three dot-separated
 * parts of a "0.x" string, the first two of any other ("3.9.1" is "3.9").
 */
import type { ConfigValidator } from './config-validators.js';

/** [release, its IV suffixes ('' for a version without one), production?] in Kafka 3.9's MetadataVersion. */
const VERSIONS: ReadonlyArray<readonly [string, readonly string[], boolean]> = [
  ['0.8.0', [''], true],
  ['0.8.1', [''], true],
  ['0.8.2', [''], true],
  ['0.9.0', [''], true],
  ['0.10.0', ['IV0', 'IV1'], true],
  ['0.10.1', ['IV0', 'IV1', 'IV2'], true],
  ['0.10.2', ['IV0'], true],
  ['0.11.0', ['IV0', 'IV1', 'IV2'], true],
  ['1.0', ['IV0'], true],
  ['1.1', ['IV0'], true],
  ['2.0', ['IV0', 'IV1'], true],
  ['2.1', ['IV0', 'IV1', 'IV2'], true],
  ['2.2', ['IV0', 'IV1'], true],
  ['2.3', ['IV0', 'IV1'], true],
  ['2.4', ['IV0', 'IV1'], true],
  ['2.5', ['IV0'], true],
  ['2.6', ['IV0'], true],
  ['2.7', ['IV0', 'IV1', 'IV2'], true],
  ['2.8', ['IV0', 'IV1'], true],
  ['3.0', ['IV0', 'IV1'], true],
  ['3.1', ['IV0'], true],
  ['3.2', ['IV0'], true],
  ['3.3', ['IV0', 'IV1', 'IV2', 'IV3'], true],
  ['3.4', ['IV0'], true],
  ['3.5', ['IV0', 'IV1', 'IV2'], true],
  ['3.6', ['IV0', 'IV1', 'IV2'], true],
  ['3.7', ['IV0', 'IV1', 'IV2', 'IV3', 'IV4'], true],
  ['3.8', ['IV0'], true],
  ['3.9', ['IV0'], true],
  ['4.0', ['IV0', 'IV1'], false],
];

const KNOWN: ReadonlySet<string> = new Set(
  VERSIONS.flatMap(([release, ivs, production]) => [
    ...ivs.map((iv) => (iv === '' ? release : `${release}-${iv}`)),
    ...(production ? [release] : []),
  ]),
);

/** Whether Kafka 3.9's MetadataVersion.fromVersionString knows this string. */
export function isMetadataVersion(value: string): boolean {
  const parts = value.split('.');
  const segments = value.startsWith('0.') ? 3 : 2;
  return KNOWN.has(segments >= parts.length ? value : parts.slice(0, segments).join('.'));
}

/** Kafka's MetadataVersionValidator: "Version 9.9 is not a valid version". */
export const metadataVersion: ConfigValidator = {
  expected: 'a Kafka version such as 3.9 or 3.0-IV1',
  problem: (v) => (isMetadataVersion(v) ? null : `Version ${v} is not a valid version`),
};
