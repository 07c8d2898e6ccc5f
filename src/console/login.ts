/**
 * Who the web console acts as. Either one shared client (a PLAINTEXT or pre-configured cluster
 * connection: everyone who reaches the console's port acts as that client), or, in login mode,
 * the person at the browser: HTTP Basic credentials (RFC 7617) are used as SASL PLAIN or SCRAM
 * credentials on the cluster's own listener, so the console authenticates and authorizes exactly
 * as the Kafka port does; the console itself keeps no users and checks no passwords. One client
 * per credential is kept (at most MAX_SESSIONS, least recently used closed first, idle ones closed
 * after IDLE_MS). Left out: a login form and logout (browsers keep Basic credentials until they
 * are closed), OAUTHBEARER logins.
 */
import { nodeCrypto } from '../common/node-crypto.js';
import type { IncomingMessage } from 'node:http';
import type { Cluster } from '../client/cluster.js';
import type { PasswordSasl } from '../client/security.js';

const MAX_SESSIONS = 32;
const IDLE_MS = 10 * 60_000;

export type ConsoleAccess =
  | { kind: 'shared'; cluster: Cluster }
  | { kind: 'login'; mechanism: PasswordSasl['mechanism']; open(sasl: PasswordSasl): Cluster };

export interface BasicCredentials {
  username: string;
  password: string;
}

/** The Basic credentials of a request, or null when it has none (or malformed ones). */
export function basicCredentials(request: IncomingMessage): BasicCredentials | null {
  const header = request.headers.authorization;
  if (header === undefined) return null;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

interface Session {
  cluster: Cluster;
  lastUsedMs: number;
}

/** The clients of logged-in users, keyed by a hash of their credentials (never the password itself). */
export class LoginSessions {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly access: Extract<ConsoleAccess, { kind: 'login' }>,
    private readonly now: () => number = Date.now,
  ) {}

  clusterFor(credentials: BasicCredentials): Cluster {
    const key = this.keyOf(credentials);
    const now = this.now();
    this.closeIdle(now);
    const existing = this.sessions.get(key);
    if (existing) {
      this.sessions.delete(key);
      this.sessions.set(key, { ...existing, lastUsedMs: now });
      return existing.cluster;
    }
    while (this.sessions.size >= MAX_SESSIONS) {
      const [oldest, session] = this.sessions.entries().next().value as [string, Session];
      session.cluster.close();
      this.sessions.delete(oldest);
    }
    const cluster = this.access.open({ mechanism: this.access.mechanism, ...credentials });
    this.sessions.set(key, { cluster, lastUsedMs: now });
    return cluster;
  }

  /** Drops a client whose credentials the cluster refused, so the next try authenticates again. */
  forget(credentials: BasicCredentials): void {
    const key = this.keyOf(credentials);
    this.sessions.get(key)?.cluster.close();
    this.sessions.delete(key);
  }

  get size(): number {
    return this.sessions.size;
  }

  close(): void {
    for (const session of this.sessions.values()) session.cluster.close();
    this.sessions.clear();
  }

  private closeIdle(now: number): void {
    for (const [key, session] of this.sessions) {
      if (now - session.lastUsedMs < IDLE_MS) continue;
      session.cluster.close();
      this.sessions.delete(key);
    }
  }

  private keyOf(credentials: BasicCredentials): string {
    return nodeCrypto()
      .createHash('sha256')
      .update(`${credentials.username}\u0000${credentials.password}`)
      .digest('hex');
  }
}
