/**
 * node:tls, loaded on first use instead of at import: only TLS listeners and TLS connections
 * need it, and Node 20 cannot put node:tls in a V8 startup snapshot (the CLI's snapshot,
 * scripts/snapshot.mjs, runs every module's top level while it is built).
 */
import { createRequire } from 'node:module';

type NodeTls = typeof import('node:tls');

let loaded: NodeTls | undefined;

export function nodeTls(): NodeTls {
  return (loaded ??= createRequire(import.meta.url)('node:tls') as NodeTls);
}
