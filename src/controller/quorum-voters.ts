/**
 * Parses `controller.quorum.voters` (Kafka's `id@host:port,...`; IPv6 hosts in brackets) into a map
 * of voter id to address. An empty list means a quorum of one: this node alone.
 * `controller.quorum.bootstrap.servers` is quorum-bootstrap.ts's (broker-only processes; no dynamic quorum).
 */
import { ConfigError } from '../common/config.js';
import type { PeerAddress } from './peer-client.js';

export function parseQuorumVoters(entries: readonly string[]): Map<number, PeerAddress> {
  const voters = new Map<number, PeerAddress>();
  for (const raw of entries) {
    const entry = raw.trim();
    if (entry === '') continue;
    const m = /^(\d+)@(\[[^\]]+\]|[^:@\s]+):(\d+)$/.exec(entry);
    if (!m) throw new ConfigError(`controller.quorum.voters entry "${entry}" is not of the form id@host:port`);
    const id = Number(m[1]);
    const port = Number(m[3]);
    if (!Number.isSafeInteger(id) || id < 0 || id > 2147483647)
      throw new ConfigError(`voter id ${m[1]} is out of range`);
    if (port < 0 || port > 65535) throw new ConfigError(`voter port ${m[3]} is out of range`);
    if (voters.has(id)) throw new ConfigError(`voter ${id} appears twice in controller.quorum.voters`);
    voters.set(id, { host: (m[2] as string).replace(/^\[|\]$/g, ''), port });
  }
  return voters;
}
