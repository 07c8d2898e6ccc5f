/**
 * The check Kafka's clients make of bootstrap.servers when they are created (ClientUtils'
 * parseAndValidateAddresses, with client.dns.lookup's default): each entry is host:port, else
 * "Invalid url in bootstrap.servers: <entry>"; its port fits, else "Invalid port in
 * bootstrap.servers: <entry>"; a host that does not resolve is warned about and left out, and when no
 * entry is left the client is not created: "No resolvable bootstrap urls given in bootstrap.servers".
 * A tool given a host that does not resolve stops at once, as Kafka's do, instead of retrying it
 * until its timeout.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { cliIo } from '../io.js';
import { ClientConstructionError, JavaError } from './errors.js';
import { log4jDate } from './messages.js';

/** Utils.HOST_PORT_PATTERN of Kafka's clients, matched against the whole entry. */
const HOST_PORT = /^(?:[0-9a-zA-Z\-%._]*:\/\/)?\[?([0-9a-zA-Z\-%._:]*)]?:([0-9]+)$/;

/** Whether `entry` has the form Kafka's Utils.getPort reads: host:port (a scheme or [ipv6] allowed). */
export function isHostPort(entry: string): boolean {
  return HOST_PORT.test(entry);
}

const CONSTRUCTION_MESSAGES = {
  admin: 'Failed to create new KafkaAdminClient',
  producer: 'Failed to construct kafka producer',
  consumer: 'Failed to construct kafka consumer',
} as const;

const configException = (message: string): JavaError =>
  new JavaError('org.apache.kafka.common.config.ConfigException', message);

async function resolves(host: string): Promise<boolean> {
  // InetAddress.getByName("") is the loopback address; an address literal needs no lookup.
  if (host === '' || isIP(host) !== 0) return true;
  try {
    await lookup(host);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks `entries` (bootstrap.servers' entries) as Kafka's client constructor does; throws the
 * ClientConstructionError of a client of `role` when they give no address to start from, after the
 * WARN line ClientUtils logs for each host that does not resolve.
 */
export async function checkBootstrapAddresses(
  entries: readonly string[],
  role: keyof typeof CONSTRUCTION_MESSAGES,
): Promise<void> {
  const fail = (message: string): ClientConstructionError =>
    new ClientConstructionError(CONSTRUCTION_MESSAGES[role], configException(message));
  let resolved = 0;
  for (const entry of entries) {
    const match = HOST_PORT.exec(entry);
    if (!match) throw fail(`Invalid url in bootstrap.servers: ${entry}`);
    const host = match[1]!;
    const port = Number(match[2]);
    if (port > 65535) throw fail(`Invalid port in bootstrap.servers: ${entry}`);
    if (await resolves(host)) resolved++;
    else
      cliIo().stderr.write(
        `[${log4jDate(new Date())}] WARN Couldn't resolve server ${entry} from bootstrap.servers as DNS resolution failed for ${host} (org.apache.kafka.clients.ClientUtils)\n`,
      );
  }
  if (resolved === 0) throw fail('No resolvable bootstrap urls given in bootstrap.servers');
}
