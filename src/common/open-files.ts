/**
 * The process's open-file limit (RLIMIT_NOFILE) and how many descriptors the partition
 * logs may keep open under it.
 *
 * Node has no setrlimit, and needs none: at start-up Node itself raises the soft limit to
 * the hard limit (node.cc, PlatformInit), so the soft limit read here is already as high as
 * the process may go. What remains is to size the log file cache under it, leaving room for
 * client connections, the metadata log and short-lived files (checkpoints, snapshots).
 */
import { readFileSync } from 'node:fs';

export interface OpenFileLimit {
  soft: number;
  hard: number;
}

/** Parses the "Max open files" line of /proc/<pid>/limits; null when absent or unreadable. */
export function parseOpenFileLimit(limits: string): OpenFileLimit | null {
  const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limits);
  if (!match) return null;
  const value = (text: string): number => (text === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(text));
  const soft = value(match[1]!);
  const hard = value(match[2]!);
  return Number.isFinite(soft) && Number.isFinite(hard) ? { soft, hard } : null;
}

/** This process's limit (Linux, from /proc/self/limits); null elsewhere. */
export function currentOpenFileLimit(): OpenFileLimit | null {
  try {
    return parseOpenFileLimit(readFileSync('/proc/self/limits', 'utf8'));
  } catch {
    return null;
  }
}

/** The limit assumed where it cannot be read: the usual soft limit. */
export const ASSUMED_SOFT_LIMIT = 1024;
const MIN_LOG_FILES = 32;
const MAX_LOG_FILES = 65_536;

/**
 * Descriptors the partition logs may hold at once: half of the soft limit (the other half
 * is for connections and everything else), at least 32, at most 65,536.
 */
export function logFileCacheSize(softLimit: number = currentOpenFileLimit()?.soft ?? ASSUMED_SOFT_LIMIT): number {
  return Math.min(MAX_LOG_FILES, Math.max(MIN_LOG_FILES, Math.floor(softLimit / 2)));
}
