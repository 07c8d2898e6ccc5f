/**
 * `meta.properties` in every log dir, checked at start as Kafka's MetaPropertiesEnsemble
 * does: each dir's cluster.id, node.id and directory.id must agree with the configuration
 * (`cluster.id` / `CLUSTER_ID`, `node.id`) and with the other dirs, and directory ids must
 * be unique and not one of Kafka's reserved ids. A mismatch stops start-up with a
 * StartupError naming both values and the file (Kafka's text for a stored node id and for two dirs
 * of different clusters). A dir without the file is formatted
 * (version 1, cluster id, node id, a new directory id), as the apache/kafka image formats
 * its storage at first start; a file without a directory id gets one, as Kafka does. The
 * Raft metadata log folder may only be in the metadata log dir, as in Kafka. Only a node
 * alone in its quorum may invent a cluster id: with more than one voter, every node must be
 * given the same one (as `kafka-storage format --cluster-id` does), else each would write its
 * own and the voters would reject each other forever.
 * Leaves out: version 0 files' ZooKeeper broker.id synonyms beyond reading `broker.id`.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseProperties } from '../common/config.js';
import { StartupError } from '../common/startup-error.js';
import { makeDirsSync } from '../../storage/make-dirs.js';

export const META_PROPERTIES = 'meta.properties';
const CONFIGURED_CLUSTER_ID = 'the configuration (cluster.id / CLUSTER_ID)';
/** Kafka's reserved directory ids (UNASSIGNED, LOST, MIGRATING): never a real dir's id. */
const RESERVED_DIRECTORY_IDS = new Set(['AAAAAAAAAAAAAAAAAAAAAA', 'AAAAAAAAAAAAAAAAAAAAAQ', 'AAAAAAAAAAAAAAAAAAAAAg']);

export interface MetaProperties {
  version: number;
  clusterId: string | null;
  nodeId: number | null;
  directoryId: string | null;
}

export interface EnsureMetaPropertiesOptions {
  /** Every log dir, and the metadata log dir (absolute paths). */
  logDirs: readonly string[];
  metadataLogDir: string;
  nodeId: number;
  /** `cluster.id` or `CLUSTER_ID`, when configured. */
  configuredClusterId: string | undefined;
  /** A new random uuid in Kafka's base64url text. */
  newUuid: () => string;
  /** How many voters `controller.quorum.voters` names; with more than one, a cluster id must come from the configuration or a meta.properties. */
  voterCount: number;
  /** A broker-only node that finds its voters through controller.quorum.bootstrap.servers: it always joins others. */
  bootstrapServers?: string;
  /** False for a throwaway data dir (deleted when its broker stops): written without fsync. */
  fsync?: boolean;
}

/** The one-line start-up failure when a node of a multi-voter quorum has no cluster id to use. */
export function missingClusterIdMessage(voterCount: number, bootstrapServers?: string): string {
  const quorum =
    bootstrapServers === undefined
      ? `controller.quorum.voters names ${voterCount} voters, which must all share one cluster id`
      : `this broker joins the quorum at controller.quorum.bootstrap.servers=${bootstrapServers}, whose cluster id it must share`;
  return (
    `no cluster id: ${quorum}; ` +
    'set cluster.id (or the CLUSTER_ID environment variable) to the same value on every node, ' +
    'e.g. a uuid from `kafka-storage random-uuid`, as `kafka-storage format --cluster-id` would'
  );
}

/** Throws the StartupError of missingClusterIdMessage when a multi-voter node has no cluster id. */
export function requireSharedClusterId(
  clusterId: string | undefined,
  voterCount: number,
  bootstrapServers?: string,
): void {
  if (clusterId === undefined && (voterCount > 1 || bootstrapServers !== undefined))
    throw new StartupError(missingClusterIdMessage(voterCount, bootstrapServers));
}

function metaPath(dir: string): string {
  return join(dir, META_PROPERTIES);
}

/** Reads a dir's meta.properties: null when absent; StartupError when it cannot be understood. */
export function readMetaProperties(dir: string): MetaProperties | null {
  const path = metaPath(dir);
  if (!existsSync(path)) return null;
  const props = parseProperties(readFileSync(path, 'utf8'));
  const versionText = props.get('version') ?? '0';
  const version = Number(versionText);
  if (version !== 0 && version !== 1)
    throw new StartupError(`${path}: unknown version ${versionText} (expected 0 or 1)`);
  const nodeText = props.get('node.id') ?? (version === 0 ? props.get('broker.id') : undefined);
  const nodeId = nodeText === undefined ? null : Number(nodeText);
  if (nodeId !== null && !Number.isInteger(nodeId))
    throw new StartupError(`${path}: node.id "${nodeText}" is not an integer`);
  const meta: MetaProperties = {
    version,
    clusterId: props.get('cluster.id') ?? null,
    nodeId,
    directoryId: props.get('directory.id') ?? null,
  };
  if (version === 1 && meta.clusterId === null)
    throw new StartupError(`${path}: cluster.id is missing (required in version 1)`);
  if (version === 1 && meta.nodeId === null)
    throw new StartupError(`${path}: node.id is missing (required in version 1)`);
  return meta;
}

/**
 * Writes meta.properties atomically (temporary file, fsync, rename, directory fsync). With `fsync`
 * false (a throwaway data dir, deleted when its broker stops) the two fsyncs are left out.
 */
export function writeMetaProperties(
  dir: string,
  meta: { clusterId: string; nodeId: number; directoryId: string },
  fsync = true,
): void {
  makeDirsSync(dir);
  const text = `#\n#Written by Gregor\nnode.id=${meta.nodeId}\ndirectory.id=${meta.directoryId}\nversion=1\ncluster.id=${meta.clusterId}\n`;
  const tmp = `${metaPath(dir)}.tmp`;
  writeFileSync(tmp, text);
  if (!fsync) {
    renameSync(tmp, metaPath(dir));
    return;
  }
  const fd = openSync(tmp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, metaPath(dir));
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

/**
 * Checks the meta.properties of every dir against the configuration and each other,
 * formats the dirs that have none, and returns the cluster id.
 */
export function ensureMetaProperties(options: EnsureMetaPropertiesOptions): string {
  const dirs = [...new Set([options.metadataLogDir, ...options.logDirs])];
  const found = new Map<string, MetaProperties | null>();
  for (const dir of dirs) found.set(dir, readMetaProperties(dir));

  let clusterId = options.configuredClusterId;
  let clusterIdSource = CONFIGURED_CLUSTER_ID;
  const seenDirectoryIds = new Map<string, string>();
  for (const [dir, meta] of found) {
    if (!meta) continue;
    const path = metaPath(dir);
    if (meta.clusterId !== null) {
      if (clusterId === undefined) {
        clusterId = meta.clusterId;
        clusterIdSource = path;
      } else if (meta.clusterId !== clusterId) {
        // Two log dirs that disagree: Kafka's MetaPropertiesEnsemble message. Against the configuration
        // (which Kafka does not have: its cluster id comes only from kafka-storage format), Gregor's own.
        throw new StartupError(
          clusterIdSource === CONFIGURED_CLUSTER_ID
            ? `${path} has cluster.id ${meta.clusterId}, but ${clusterIdSource} has ${clusterId}: this log dir belongs to another cluster`
            : `Invalid cluster.id in: ${path}. Expected ${clusterId}, but read ${meta.clusterId}`,
        );
      }
    }
    if (meta.nodeId !== null && meta.nodeId !== options.nodeId) {
      throw new StartupError(
        `Stored node id ${meta.nodeId} doesn't match previous node id ${options.nodeId} in ${path}. If you moved your data, make sure your configured node id matches. If you intend to create a new node, you should remove all data in your data directories.`,
      );
    }
    if (meta.directoryId !== null) {
      if (RESERVED_DIRECTORY_IDS.has(meta.directoryId))
        throw new StartupError(`${path} has the reserved directory.id ${meta.directoryId}`);
      const other = seenDirectoryIds.get(meta.directoryId);
      if (other !== undefined) {
        throw new StartupError(
          `${path} has directory.id ${meta.directoryId}, the same as ${metaPath(other)}: every log dir needs its own (was one copied?)`,
        );
      }
      seenDirectoryIds.set(meta.directoryId, dir);
    }
  }

  for (const dir of dirs) {
    if (dir === options.metadataLogDir) continue;
    const misplaced = join(dir, '__cluster_metadata-0');
    if (existsSync(misplaced))
      throw new StartupError(
        `found the metadata log ${misplaced} outside the metadata log dir ${options.metadataLogDir}`,
      );
  }

  requireSharedClusterId(clusterId, options.voterCount, options.bootstrapServers);
  const id = clusterId ?? options.newUuid();
  for (const [dir, meta] of found) {
    if (meta && meta.clusterId !== null && meta.nodeId !== null && meta.directoryId !== null && meta.version === 1)
      continue;
    let directoryId = meta?.directoryId ?? null;
    while (directoryId === null || RESERVED_DIRECTORY_IDS.has(directoryId) || seenDirectoryIds.has(directoryId))
      directoryId = options.newUuid();
    seenDirectoryIds.set(directoryId, dir);
    writeMetaProperties(dir, { clusterId: id, nodeId: options.nodeId, directoryId }, options.fsync ?? true);
  }
  return id;
}
