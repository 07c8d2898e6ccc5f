/**
 * Ports chosen before a server starts, for tests that must know them up front (controller.quorum.voters
 * names every controller's port before any node starts; a node restarted after kill -9 keeps its port
 * so that clients find it again).
 *
 * Probing with listen(0) and closing races: the kernel hands the same ephemeral port to the next
 * listen(0) or outgoing connection of any process (tap runs test files in parallel), and the node then
 * fails with EADDRINUSE. So a port is picked at random below the kernel's ephemeral range (read from
 * /proc/sys/net/ipv4/ip_local_port_range), where nothing binds unless it names the port itself, and
 * above the fixed ranges people give development sessions (19000-20999); it is probed (bound and
 * closed) before being handed out, never twice by one process. Two test processes can still pick the
 * same port between the probe and the bind (about one chance in ten thousand a pick): callers that
 * start servers on these ports retry start-up on EADDRINUSE with fresh ports (`isAddressInUse`).
 * GREGOR_TEST_PORTS=low-high (a session's own range) makes freePort hand out only those, in order.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';

const LOWEST = 21000;
const FALLBACK_EPHEMERAL_LOW = 32768;
const handedOut = new Set<number>();

/** The first port of the kernel's ephemeral range (32768 when it cannot be read: Linux's default). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : FALLBACK_EPHEMERAL_LOW;
  } catch {
    return FALLBACK_EPHEMERAL_LOW;
  }
}

const EPHEMERAL_LOW = ephemeralLow();

function probe(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function probeEphemeral(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** GREGOR_TEST_PORTS=low-high: the ports a developer session was given; freePort hands out only these. */
function ownRange(): { low: number; high: number } | null {
  const m = /^(\d+)-(\d+)$/.exec(process.env.GREGOR_TEST_PORTS ?? '');
  return m ? { low: Number(m[1]), high: Number(m[2]) } : null;
}

/**
 * A port on 127.0.0.1 that was free a moment ago and lies outside the ephemeral range (falls back to
 * an ephemeral one when the range leaves no room below it).
 */
export async function freePort(): Promise<number> {
  const own = ownRange();
  if (own) {
    for (let port = own.low; port <= own.high; port++) {
      if (handedOut.has(port)) continue;
      handedOut.add(port);
      if (await probe(port)) return port;
    }
    throw new Error(`no free port left in GREGOR_TEST_PORTS=${own.low}-${own.high}`);
  }
  const span = EPHEMERAL_LOW - LOWEST;
  if (span < 1000) return probeEphemeral();
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * span);
    if (handedOut.has(port)) continue;
    if (await probe(port)) {
      handedOut.add(port);
      return port;
    }
  }
  return probeEphemeral();
}

/** Whether a node's output says it could not bind its address (Gregor's start-up error, or Node's). */
export function isAddressInUse(output: string): boolean {
  return /EADDRINUSE|address already in use/i.test(output);
}

/** The inodes of the sockets listening on 127.0.0.1 or any address, by port (from /proc/net/tcp). */
function listeningInodes(): Map<number, string[]> | null {
  let table: string;
  try {
    table = readFileSync('/proc/net/tcp', 'utf8');
  } catch {
    return null;
  }
  const byPort = new Map<number, string[]>();
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    // sl local_address rem_address st ... inode (the tenth field); 0A is LISTEN.
    if (fields.length < 10 || fields[3] !== '0A') continue;
    const port = parseInt(fields[1]!.split(':')[1] ?? '', 16);
    byPort.set(port, [...(byPort.get(port) ?? []), fields[9]!]);
  }
  return byPort;
}

/**
 * Whether process `pid` itself listens on every one of `ports` (true), not yet (false), or this
 * cannot be told here (null: no /proc, as on macOS). Another process listening on one of the ports
 * does not count: that is the collision a caller retries.
 */
export function listensOn(pid: number, ports: readonly number[]): boolean | null {
  const byPort = listeningInodes();
  if (byPort === null) return null;
  let own: Set<string>;
  try {
    own = new Set(
      readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
        try {
          const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
          return m ? [m[1]!] : [];
        } catch {
          return [];
        }
      }),
    );
  } catch {
    return false;
  }
  return ports.every((port) => (byPort.get(port) ?? []).some((inode) => own.has(inode)));
}

/** The ports a `listeners` setting names (`NAME://host:port,...`). */
export function listenerPorts(listeners: string): number[] {
  return listeners
    .split(',')
    .map((l) => Number(/:(\d+)$/.exec(l.trim())?.[1] ?? NaN))
    .filter((p) => Number.isInteger(p) && p > 0);
}
