/**
 * A QuorumStateStore in Kafka's `quorum-state` file: QuorumStateData v0 as JSON
 * ({"clusterId","leaderId","leaderEpoch","votedId","appliedOffset","currentVoters":[{"voterId"}],"data_version":0}).
 * A write goes to `quorum-state.tmp`, is fsynced, renamed over the file, and the directory is fsynced,
 * so a crash leaves either the old or the new state, never a torn one. A file that does not parse
 * raises a typed error on start (it is never silently reset: a lost vote could elect two leaders).
 * Leaves out: v1 (VotedDirectoryId, KIP-853).
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { QuorumStateData, QuorumStateStore } from './raft/quorum-state-store.js';
import { QuorumStateFileError } from './errors.js';
import { makeDirsSync } from '../../storage/make-dirs.js';
export { QuorumStateFileError };

export const QUORUM_STATE_FILE = 'quorum-state';

interface QuorumStateJson {
  clusterId: string;
  leaderId: number;
  leaderEpoch: number;
  votedId: number;
  appliedOffset: number;
  currentVoters: Array<{ voterId: number }> | null;
  data_version: number;
}

function isInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

function parse(text: string, path: string): QuorumStateData {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new QuorumStateFileError(`${path} is not valid JSON`);
  }
  if (typeof raw !== 'object' || raw === null) throw new QuorumStateFileError(`${path} is not a JSON object`);
  const o = raw as Record<string, unknown>;
  if (!isInt(o.leaderId) || !isInt(o.leaderEpoch) || !isInt(o.votedId)) {
    throw new QuorumStateFileError(`${path} lacks leaderId, leaderEpoch or votedId`);
  }
  let voters: number[] | null = null;
  if (Array.isArray(o.currentVoters)) {
    voters = [];
    for (const v of o.currentVoters as unknown[]) {
      const id = typeof v === 'object' && v !== null ? (v as Record<string, unknown>).voterId : undefined;
      if (!isInt(id)) throw new QuorumStateFileError(`${path} has a voter without voterId`);
      voters.push(id);
    }
  }
  return {
    clusterId: typeof o.clusterId === 'string' && o.clusterId !== '' ? o.clusterId : null,
    leaderId: o.leaderId,
    leaderEpoch: o.leaderEpoch,
    votedId: o.votedId,
    appliedOffset: isInt(o.appliedOffset) ? o.appliedOffset : 0,
    currentVoters: voters,
  };
}

export class FileQuorumStateStore implements QuorumStateStore {
  readonly path: string;
  private cached: QuorumStateData | undefined;
  writes = 0;

  /** `fsync` false: a throwaway data dir (deleted when its broker stops), written without fsync. */
  constructor(
    readonly dir: string,
    private readonly fsync = true,
  ) {
    makeDirsSync(dir);
    this.path = join(dir, QUORUM_STATE_FILE);
    if (existsSync(this.path)) this.cached = parse(readFileSync(this.path, 'utf8'), this.path);
  }

  read(): QuorumStateData | undefined {
    return this.cached;
  }

  write(state: QuorumStateData): void {
    const json: QuorumStateJson = {
      clusterId: state.clusterId ?? '',
      leaderId: state.leaderId,
      leaderEpoch: state.leaderEpoch,
      votedId: state.votedId,
      appliedOffset: state.appliedOffset,
      currentVoters: state.currentVoters ? state.currentVoters.map((voterId) => ({ voterId })) : null,
      data_version: 0,
    };
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify(json));
      if (this.fsync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    if (this.fsync) fsyncDir(this.dir);
    this.cached = { ...state, currentVoters: state.currentVoters ? [...state.currentVoters] : null };
    this.writes++;
  }
}

/** Makes a rename durable; some platforms cannot open a directory, which is then tolerated. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Directory fsync is unsupported on some file systems; the rename itself is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
