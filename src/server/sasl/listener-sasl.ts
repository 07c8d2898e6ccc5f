/**
 * The SASL settings of one SASL_PLAINTEXT or SASL_SSL listener, read and checked at
 * start-up with Kafka's names, each also settable per listener
 * (`listener.name.<name>.sasl.enabled.mechanisms`): the enabled mechanisms, and per
 * mechanism the JAAS config (server-jaas.ts: `listener.name.<name>.<mechanism>.sasl.jaas.config`,
 * else the static JAAS file's KafkaServer section, as Kafka; never the unprefixed `sasl.jaas.config`), and `connections.max.reauth.ms` (KIP-368, also per mechanism:
 * `listener.name.<name>.<mechanism>.connections.max.reauth.ms`). Served mechanisms: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER; any other
 * (GSSAPI, Kafka's default) is refused at start-up.
 */
import { ConfigError, type BrokerConfig } from '../../common/config.js';
import { listenerSetting } from '../tls.js';
import { serverJaas, jaasSetting } from './server-jaas.js';
import type { SaslExchangeFactory } from './mechanism.js';
import { PlainExchange } from './plain.js';
import { OAuthBearerExchange, oauthValidator } from './oauthbearer.js';
import { ScramExchange, SCRAM_MECHANISMS, type ScramCredentialLookup, type ScramMechanismName } from './scram.js';

export interface ListenerSasl {
  listenerName: string;
  /** Enabled mechanisms in configured order (what SaslHandshake lists). */
  mechanisms: string[];
  exchanges: ReadonlyMap<string, SaslExchangeFactory>;
  /** sasl.server.max.receive.size: the largest frame an unauthenticated client may send. */
  maxReceiveBytes: number;
  /** connections.max.reauth.ms by mechanism (0: sessions do not expire unless the credential does). */
  maxReauthMs: ReadonlyMap<string, number>;
  /** connection.failed.authentication.delay.ms: how long a failed authentication's answer and close wait. */
  failedAuthenticationDelayMs: number;
  /** The clock, in ms. */
  now: () => number;
  /** Start-up warnings Kafka logs for these settings (an unprefixed sasl.jaas.config it ignores). */
  warnings: string[];
}

const PLAIN_LOGIN_MODULE = 'org.apache.kafka.common.security.plain.PlainLoginModule';
const OAUTH_LOGIN_MODULE = 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule';

function plainUsers(config: BrokerConfig, listenerName: string): Map<string, string> {
  const jaas = serverJaas(config, listenerName, 'PLAIN');
  const entry = jaas.entries.find((e) => e.loginModule === PLAIN_LOGIN_MODULE);
  if (!entry)
    throw new ConfigError(`${jaas.source}: PLAIN needs ${PLAIN_LOGIN_MODULE} required user_<name>="<password>";`);
  const users = new Map<string, string>();
  for (const [key, value] of entry.options) if (key.startsWith('user_')) users.set(key.slice('user_'.length), value);
  return users;
}

export function listenerSasl(
  config: BrokerConfig,
  listenerName: string,
  scramCredentials: ScramCredentialLookup,
  now: () => number,
): ListenerSasl {
  const mechanisms = (listenerSetting(config, listenerName, 'sasl.enabled.mechanisms') ?? '')
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '');
  if (mechanisms.length === 0) throw new ConfigError(`listener ${listenerName}: sasl.enabled.mechanisms is empty`);
  const exchanges = new Map<string, SaslExchangeFactory>();
  for (const mechanism of mechanisms) {
    if (mechanism === 'PLAIN') {
      const users = plainUsers(config, listenerName);
      exchanges.set(mechanism, () => new PlainExchange(users));
    } else if ((SCRAM_MECHANISMS as readonly string[]).includes(mechanism)) {
      const name = mechanism as ScramMechanismName;
      serverJaas(config, listenerName, mechanism); // Kafka needs a login context for every enabled mechanism
      exchanges.set(mechanism, () => new ScramExchange(name, scramCredentials));
    } else if (mechanism === 'OAUTHBEARER') {
      const jaas = serverJaas(config, listenerName, mechanism);
      const validate = oauthValidator(
        config,
        listenerName,
        jaas.entries.find((e) => e.loginModule === OAUTH_LOGIN_MODULE) ?? null,
      );
      exchanges.set(mechanism, () => new OAuthBearerExchange(validate, now));
    } else {
      throw new ConfigError(
        `listener ${listenerName}: SASL mechanism ${mechanism} in sasl.enabled.mechanisms is not implemented (served: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER)`,
      );
    }
  }
  // KIP-368: listener.name.<l>.<mechanism>.connections.max.reauth.ms, else the listener's or the broker's
  const maxReauthMs = new Map<string, number>();
  for (const mechanism of mechanisms) {
    const key = `${mechanism.toLowerCase()}.connections.max.reauth.ms`;
    const value =
      config.explicit(`listener.name.${listenerName.toLowerCase()}.${key}`) ??
      listenerSetting(config, listenerName, 'connections.max.reauth.ms') ??
      '0';
    const ms = Number(value);
    if (!Number.isSafeInteger(ms) || ms < 0)
      throw new ConfigError(`listener ${listenerName}: connections.max.reauth.ms=${value} must be a whole number >= 0`);
    maxReauthMs.set(mechanism, ms);
  }
  const maxReceiveBytes = Number(listenerSetting(config, listenerName, 'sasl.server.max.receive.size') ?? '524288');
  if (!Number.isInteger(maxReceiveBytes) || maxReceiveBytes <= 0)
    throw new ConfigError(`listener ${listenerName}: sasl.server.max.receive.size must be a positive integer`);
  const failedAuthenticationDelayMs = Number(
    listenerSetting(config, listenerName, 'connection.failed.authentication.delay.ms') ?? '100',
  );
  const warnings =
    config.explicit('sasl.jaas.config') !== undefined &&
    mechanisms.some((m) => config.explicit(jaasSetting(listenerName, m)) === undefined)
      ? [
          `listener ${listenerName}: server config sasl.jaas.config should be prefixed with the listener and SASL mechanism name (${jaasSetting(listenerName, mechanisms[0]!)}), ignoring it, as Kafka does`,
        ]
      : [];
  return {
    listenerName,
    mechanisms,
    exchanges,
    maxReceiveBytes,
    maxReauthMs,
    failedAuthenticationDelayMs,
    now,
    warnings,
  };
}
