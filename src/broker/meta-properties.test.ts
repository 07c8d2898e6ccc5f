/**
 * meta.properties checks, as Kafka's MetaPropertiesEnsemble: cluster id, node id and
 * directory id of every log dir against the configuration and each other.
 */
import t from 'tap';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureMetaProperties, readMetaProperties } from './meta-properties.js';

let counter = 0;
const newUuid = (): string => `Uuid${String(++counter).padStart(18, '0')}`;

function dirs(t: { teardown: (fn: () => void) => void }, count: number): string[] {
  const root = mkdtempSync(join(tmpdir(), 'gregor-meta-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  return Array.from({ length: count }, (_, i) => join(root, `d${i}`));
}

function meta(dir: string, lines: string[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'meta.properties'), `${lines.join('\n')}\n`);
}

t.test('formats every dir with one cluster id, the node id and distinct directory ids', async (t) => {
  const [a, b] = dirs(t, 2);
  const id = ensureMetaProperties({
    logDirs: [a!, b!],
    metadataLogDir: a!,
    nodeId: 3,
    configuredClusterId: undefined,
    newUuid,
    voterCount: 1,
  });
  const ma = readMetaProperties(a!)!;
  const mb = readMetaProperties(b!)!;
  t.same([ma.clusterId, mb.clusterId, ma.nodeId, mb.nodeId, ma.version], [id, id, 3, 3, 1]);
  t.not(ma.directoryId, mb.directoryId);
  t.equal(
    ensureMetaProperties({
      logDirs: [a!, b!],
      metadataLogDir: a!,
      nodeId: 3,
      configuredClusterId: id,
      newUuid,
      voterCount: 1,
    }),
    id,
    'the same again',
  );
  t.equal(readMetaProperties(a!)!.directoryId, ma.directoryId, 'directory ids are kept');
});

t.test('a file without directory.id gets one; the configured cluster id formats new dirs', async (t) => {
  const [a, b] = dirs(t, 2);
  meta(a!, ['version=1', 'cluster.id=MkU3OEVBNTcwNTJENDM2Qk', 'node.id=1']);
  t.equal(
    ensureMetaProperties({
      logDirs: [a!, b!],
      metadataLogDir: a!,
      nodeId: 1,
      configuredClusterId: undefined,
      newUuid,
      voterCount: 1,
    }),
    'MkU3OEVBNTcwNTJENDM2Qk',
  );
  t.ok(readMetaProperties(a!)!.directoryId);
  t.equal(readMetaProperties(b!)!.clusterId, 'MkU3OEVBNTcwNTJENDM2Qk', 'the new dir joins the existing cluster');
});

t.test('mismatches stop start-up naming both values and the file', async (t) => {
  const [a, b] = dirs(t, 2);
  meta(a!, ['version=1', 'cluster.id=clusterA', 'node.id=1', 'directory.id=dirA00000000000000000A']);
  const base = { logDirs: [a!, b!], metadataLogDir: a!, nodeId: 1, newUuid, voterCount: 1 };
  t.throws(() => ensureMetaProperties({ ...base, configuredClusterId: 'clusterB' }), {
    name: 'StartupError',
    message: `${join(a!, 'meta.properties')} has cluster.id clusterA, but the configuration (cluster.id / CLUSTER_ID) has clusterB: this log dir belongs to another cluster`,
  });
  t.throws(() => ensureMetaProperties({ ...base, nodeId: 2, configuredClusterId: undefined }), {
    message: `Stored node id 1 doesn't match previous node id 2 in ${join(a!, 'meta.properties')}. If you moved your data, make sure your configured node id matches. If you intend to create a new node, you should remove all data in your data directories.`,
  });
  meta(b!, ['version=1', 'cluster.id=clusterC', 'node.id=1', 'directory.id=dirB00000000000000000B']);
  t.throws(() => ensureMetaProperties({ ...base, configuredClusterId: undefined }), {
    message: `Invalid cluster.id in: ${join(b!, 'meta.properties')}. Expected clusterA, but read clusterC`,
  });
  meta(b!, ['version=1', 'cluster.id=clusterA', 'node.id=1', 'directory.id=dirA00000000000000000A']);
  t.throws(() => ensureMetaProperties({ ...base, configuredClusterId: undefined }), {
    message: new RegExp(`has directory.id dirA00000000000000000A, the same as ${join(a!, 'meta.properties')}`),
  });
  meta(b!, ['version=1', 'cluster.id=clusterA', 'node.id=1', 'directory.id=AAAAAAAAAAAAAAAAAAAAAA']);
  t.throws(() => ensureMetaProperties({ ...base, configuredClusterId: undefined }), {
    message: /reserved directory.id/,
  });
  meta(b!, ['version=9']);
  t.throws(() => ensureMetaProperties({ ...base, configuredClusterId: undefined }), { message: /unknown version 9/ });
  t.equal(readFileSync(join(a!, 'meta.properties'), 'utf8').includes('clusterA'), true, 'nothing was rewritten');
});

t.test('the metadata log outside the metadata log dir is refused', async (t) => {
  const [a, b] = dirs(t, 2);
  mkdirSync(join(b!, '__cluster_metadata-0'), { recursive: true });
  t.throws(
    () =>
      ensureMetaProperties({
        logDirs: [a!, b!],
        metadataLogDir: a!,
        nodeId: 1,
        configuredClusterId: undefined,
        newUuid,
        voterCount: 1,
      }),
    {
      message: /found the metadata log .*__cluster_metadata-0 outside the metadata log dir/,
    },
  );
});

t.test('with more than one voter, a cluster id must be given or found: none is invented', async (t) => {
  const [a, b] = dirs(t, 2);
  const base = { logDirs: [a!, b!], metadataLogDir: a!, nodeId: 1, newUuid, voterCount: 3 };
  t.throws(() => ensureMetaProperties({ ...base, configuredClusterId: undefined }), {
    name: 'StartupError',
    message:
      /^no cluster id: controller\.quorum\.voters names 3 voters, which must all share one cluster id; set cluster\.id \(or the CLUSTER_ID environment variable\)/,
  });
  t.equal(readMetaProperties(a!), null, 'nothing was formatted');
  t.equal(
    ensureMetaProperties({ ...base, configuredClusterId: 'sharedCluster' }),
    'sharedCluster',
    'a configured id is used',
  );
  t.equal(
    ensureMetaProperties({ ...base, configuredClusterId: undefined }),
    'sharedCluster',
    'and found in meta.properties on the next start',
  );
});
