/**
 * node:crypto, loaded on first use instead of at import: loading it is ~4-6 ms of every process
 * start on the project machines (docs/benchmarks.md, "Start-up, session 14"), and a broker start
 * needs none of it (its ids come from storage/os-random.ts). SASL, SCRAM, TLS certificates, group
 * member ids and the CLI tools load it when they first run.
 */
import { createRequire } from 'node:module';

type NodeCrypto = typeof import('node:crypto');

let loaded: NodeCrypto | undefined;

export function nodeCrypto(): NodeCrypto {
  return (loaded ??= createRequire(import.meta.url)('node:crypto') as NodeCrypto);
}
