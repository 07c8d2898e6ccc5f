/**
 * The web console at /ui of the operations listener (metrics.listener), reading this broker through
 * its own advertised listeners (the console speaks only the Kafka protocol). Loaded only when the
 * operations listener is on, as the operations side is.
 */
import type { BrokerConfig } from '../common/config.js';
import type { Logger } from '../common/logger.js';
import type { Operations } from '../ops/operations.js';
import type { AdvertisedListener } from '../server/services.js';
import { listenerSetting } from '../server/tls.js';

/** Attaches the console to `ops`; returns what closes it, or null when the console stays off (logged). */
export async function attachWebConsole(
  ops: Operations,
  config: BrokerConfig,
  advertised: readonly AdvertisedListener[],
  log: Logger,
): Promise<{ close(): void } | null> {
  const [{ brokerConsoleAccess }, { consoleHandler }] = await Promise.all([
    import('../console/broker-access.js'),
    import('../console/server.js'),
  ]);
  const access = brokerConsoleAccess(
    advertised.map((l) => ({
      ...l,
      mechanisms: (listenerSetting(config, l.name, 'sasl.enabled.mechanisms') ?? '').split(',').map((m) => m.trim()),
    })),
  );
  if ('off' in access) {
    log.info(`web console off: ${access.off}`);
    return null;
  }
  const handler = consoleHandler({ ...access.options, readOnly: config.bool('console.read.only') });
  ops.attachConsole(handler);
  return {
    close: () => {
      handler.close();
      access.close();
    },
  };
}
