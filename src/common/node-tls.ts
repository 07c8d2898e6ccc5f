/**
 * node:tls, loaded on first use instead of at import: only TLS listeners and TLS connections
 * need it (a start without them saves loading it), and Node 20 cannot put node:tls in a V8
 * startup snapshot (bench/broker/snapshot-blob.mjs runs every module's top level while it builds one).
 */
import { createRequire } from 'node:module';

type NodeTls = typeof import('node:tls');

let loaded: NodeTls | undefined;

export function nodeTls(): NodeTls {
  return (loaded ??= createRequire(import.meta.url)('node:tls') as NodeTls);
}
