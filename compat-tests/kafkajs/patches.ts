/**
 * The runner's patches to the scratch copy of the kafkajs suite, each named in FINDINGS.md:
 *
 * 1. `add-partitions-admin`: testHelpers' `addPartitions` runs `docker exec kafka-topics --alter`
 *    on the compose cluster; it becomes a kafkajs admin `createPartitions` call, then waits until
 *    the metadata shows the new count (the original forgot to await its wait).
 * 2. `port-offset` (only with --port-offset N): the listener port literals 9092..9100 in
 *    testHelpers/index.js and in `port: 909x` lines of src/**\/__tests__/*.spec.js shift by N, so
 *    the suite can run beside a broker that already holds those ports. Protocol fixtures that
 *    merely contain those numbers are left alone.
 *
 * A patch whose anchor text is missing throws: the suite changed and the patch needs a look.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Bump when a patch changes, so prepared scratch copies are re-exported. */
export const PATCHES_VERSION = 1;

export class PatchError extends Error {
  override name = 'PatchError';
}

const ADD_PARTITIONS_START = 'const addPartitions = async ({ topic, partitions }) => {';
const ADD_PARTITIONS_END = 'const testIfKafkaVersion = ';

const ADD_PARTITIONS_ADMIN = `const addPartitions = async ({ topic, partitions }) => {
  // Patched by Gregor's compat runner: a kafkajs admin call instead of \`docker exec kafka-topics\`.
  const kafka = new Kafka({ clientId: 'testHelpers', brokers: [\`\${getHost()}:9092\`], logLevel: NOTHING })
  const admin = kafka.admin()
  await admin.connect()
  try {
    await admin.createPartitions({ topicPartitions: [{ topic, count: partitions }] })
  } finally {
    await admin.disconnect()
  }

  const cluster = createCluster()
  await cluster.connect()
  try {
    await cluster.addTargetTopic(topic)
    await waitFor(async () => {
      await cluster.refreshMetadata()
      return cluster.findTopicPartitionMetadata(topic).length === partitions
    })
  } finally {
    await cluster.disconnect()
  }
}

`;

/** Replaces testHelpers' addPartitions (docker exec) with an admin createPartitions call. */
export function patchAddPartitions(source: string): string {
  const start = source.indexOf(ADD_PARTITIONS_START);
  const end = source.indexOf(ADD_PARTITIONS_END, start);
  if (start < 0 || end < 0) throw new PatchError('testHelpers/index.js: addPartitions not found where expected');
  return source.slice(0, start) + ADD_PARTITIONS_ADMIN + source.slice(end);
}

const LISTENER_PORT = /(?<=:|port: )(909[2-9]|9100)\b/g;
const SPEC_PORT = /(?<=port: )(909[2-9]|9100)\b/g;

/** Shifts the listener port literals of testHelpers/index.js by offset. */
export function shiftHelperPorts(source: string, offset: number): string {
  return source.replace(LISTENER_PORT, (p) => String(Number(p) + offset));
}

/** Shifts `port: 909x` in a broker-facing spec file by offset. */
export function shiftSpecPorts(source: string, offset: number): string {
  return source.replace(SPEC_PORT, (p) => String(Number(p) + offset));
}

function specFilesUnderTests(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') specFilesUnderTests(path, out);
    } else if (entry.name.endsWith('.spec.js') && dir.split(/[/\\]/).includes('__tests__')) out.push(path);
  }
  return out;
}

/** Applies every patch to the suite at root; returns one line per change made. */
export function applyPatches(root: string, options: { portOffset: number }): string[] {
  const done: string[] = [];
  const helpers = join(root, 'testHelpers', 'index.js');
  let text = patchAddPartitions(readFileSync(helpers, 'utf8'));
  done.push('add-partitions-admin: testHelpers/index.js addPartitions uses admin.createPartitions');
  if (options.portOffset !== 0) {
    text = shiftHelperPorts(text, options.portOffset);
    done.push(`port-offset: testHelpers/index.js ports +${options.portOffset}`);
    for (const spec of specFilesUnderTests(join(root, 'src'))) {
      const before = readFileSync(spec, 'utf8');
      const after = shiftSpecPorts(before, options.portOffset);
      if (after !== before) {
        writeFileSync(spec, after);
        done.push(`port-offset: ${spec.slice(root.length + 1)}`);
      }
    }
  }
  writeFileSync(helpers, text);
  return done;
}
