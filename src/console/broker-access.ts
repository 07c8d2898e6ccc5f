/**
 * How the console served by a broker at /ui of its HTTP listener reaches that broker: through its
 * first PLAINTEXT listener as one shared client, or else through a SASL_PLAINTEXT listener with
 * PLAIN or SCRAM enabled, where each browser user signs in with their own SASL user (login mode,
 * so the listener's authentication and ACLs apply to them). Listeners with TLS are not used (the
 * console would need the broker's trust settings as a client); with none usable the console is off
 * and the reason is logged. The console keeps its own listener as a way in whatever the broker
 * advertises (keepBootstrap): a container's published port need not be reachable from inside it.
 */
import { Cluster } from '../client/cluster.js';
import type { PasswordSasl } from '../client/security.js';
import type { ConsoleOptions } from './server.js';

export interface ConsoleListener {
  host: string;
  port: number;
  securityProtocol: string;
  /** The SASL mechanisms enabled on it (empty for non-SASL listeners). */
  mechanisms: string[];
}

const LOGIN_MECHANISMS: readonly PasswordSasl['mechanism'][] = ['SCRAM-SHA-512', 'SCRAM-SHA-256', 'PLAIN'];

export type BrokerConsoleAccess =
  { options: Omit<ConsoleOptions, 'readOnly'>; close(): void; via: string } | { off: string };

export function brokerConsoleAccess(listeners: ConsoleListener[]): BrokerConsoleAccess {
  const clientId = 'gregor-console';
  const plaintext = listeners.find((l) => l.securityProtocol === 'PLAINTEXT');
  if (plaintext) {
    const cluster = new Cluster({ bootstrap: [`${plaintext.host}:${plaintext.port}`], clientId, keepBootstrap: true });
    return { options: { cluster }, close: () => cluster.close(), via: `PLAINTEXT ${plaintext.host}:${plaintext.port}` };
  }
  for (const listener of listeners.filter((l) => l.securityProtocol === 'SASL_PLAINTEXT')) {
    const mechanism = LOGIN_MECHANISMS.find((m) => listener.mechanisms.includes(m));
    if (mechanism === undefined) continue;
    const bootstrap = [`${listener.host}:${listener.port}`];
    return {
      options: {
        login: {
          kind: 'login',
          mechanism,
          open: (sasl) =>
            new Cluster({ bootstrap, clientId, keepBootstrap: true, security: { protocol: 'SASL_PLAINTEXT', sasl } }),
        },
      },
      close: () => undefined,
      via: `SASL_PLAINTEXT ${mechanism} ${listener.host}:${listener.port} with a sign-in`,
    };
  }
  return {
    off: 'it needs a PLAINTEXT listener, or a SASL_PLAINTEXT one with PLAIN or SCRAM, to read the cluster through',
  };
}
