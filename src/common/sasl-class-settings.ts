/**
 * The broker's SASL class settings — `sasl.server.callback.handler.class`,
 * `sasl.login.callback.handler.class`, `sasl.login.class`, `sasl.client.callback.handler.class` —
 * checked where Kafka 3.9 reads them. Gregor loads no Java class: a value is accepted only when it
 * names a class whose behaviour Gregor has for that place (Kafka's own default, or the OAUTHBEARER
 * validators of server/sasl/oauthbearer.ts); any other class stops start-up with a line naming the
 * setting, instead of being accepted and doing nothing.
 *
 * Where Kafka reads them (SaslChannelBuilder, LoginManager, JaasContext): a broker reads the server
 * callback handler, the login callback handler and the login class only per listener and mechanism
 * (`listener.name.<l>.<mechanism>.<setting>`), and the client callback handler (its logins to other
 * nodes) without the mechanism (`<setting>` or `listener.name.<l>.<setting>`). A Kafka class set
 * where Kafka does not read it is ignored by Kafka too: Gregor starts and logs that it is ignored.
 */
import { ConfigError, type BrokerConfig } from './config.js';

const OAUTH = 'org.apache.kafka.common.security.oauthbearer';
const AUTHENTICATOR = 'org.apache.kafka.common.security.authenticator';

/** What a setting accepts, by mechanism: the classes whose behaviour Gregor has there. */
interface ClassSetting {
  /** True: read per listener and mechanism; false: read without the mechanism prefix. */
  perMechanism: boolean;
  implemented(mechanism: string): readonly string[];
  /** Every Kafka class that is implemented somewhere, for the "ignored here" case. */
  known: readonly string[];
}

const SERVER_HANDLERS: Record<string, readonly string[]> = {
  plain: ['org.apache.kafka.common.security.plain.internals.PlainServerCallbackHandler'],
  oauthbearer: [
    `${OAUTH}.internals.unsecured.OAuthBearerUnsecuredValidatorCallbackHandler`,
    `${OAUTH}.OAuthBearerValidatorCallbackHandler`,
  ],
};
const DEFAULT_LOGIN_HANDLER = `${AUTHENTICATOR}.AbstractLogin$DefaultLoginCallbackHandler`;
const UNSECURED_LOGIN_HANDLER = `${OAUTH}.internals.unsecured.OAuthBearerUnsecuredLoginCallbackHandler`;
const DEFAULT_LOGIN = `${AUTHENTICATOR}.DefaultLogin`;
const OAUTH_LOGIN = `${OAUTH}.internals.OAuthBearerRefreshingLogin`;
const CLIENT_HANDLER = `${AUTHENTICATOR}.SaslClientCallbackHandler`;

const SETTINGS: Record<string, ClassSetting> = {
  'sasl.server.callback.handler.class': {
    perMechanism: true,
    implemented: (m) => SERVER_HANDLERS[m] ?? [],
    known: Object.values(SERVER_HANDLERS).flat(),
  },
  'sasl.login.callback.handler.class': {
    perMechanism: true,
    implemented: (m) => [m === 'oauthbearer' ? UNSECURED_LOGIN_HANDLER : DEFAULT_LOGIN_HANDLER],
    known: [UNSECURED_LOGIN_HANDLER, DEFAULT_LOGIN_HANDLER],
  },
  'sasl.login.class': {
    perMechanism: true,
    implemented: (m) => [m === 'oauthbearer' ? OAUTH_LOGIN : DEFAULT_LOGIN],
    known: [OAUTH_LOGIN, DEFAULT_LOGIN],
  },
  'sasl.client.callback.handler.class': {
    perMechanism: false,
    implemented: () => [CLIENT_HANDLER],
    known: [CLIENT_HANDLER],
  },
};

export const SASL_CLASS_SETTINGS: readonly string[] = Object.keys(SETTINGS);

const LISTENER_PREFIX = 'listener.name.';
const MECHANISMS = new Set(['plain', 'scram-sha-256', 'scram-sha-512', 'oauthbearer', 'gssapi']);

interface Placed {
  key: string;
  value: string;
  setting: string;
  spec: ClassSetting;
  /** The lower-case mechanism of `listener.name.<l>.<mechanism>.<setting>`, else null. */
  mechanism: string | null;
}

function placed(config: BrokerConfig): Placed[] {
  const out: Placed[] = [];
  for (const [key, raw] of config.entries()) {
    const value = raw.trim();
    if (value === '') continue;
    for (const [setting, spec] of Object.entries(SETTINGS)) {
      if (key === setting) out.push({ key, value, setting, spec, mechanism: null });
      else if (key.startsWith(LISTENER_PREFIX) && key.endsWith(`.${setting}`)) {
        const middle = key.slice(LISTENER_PREFIX.length, key.length - setting.length - 1).split('.');
        const mechanism = middle.length === 2 && MECHANISMS.has(middle[1]!) ? middle[1]! : null;
        if (middle.length === 1 || mechanism !== null) out.push({ key, value, setting, spec, mechanism });
      }
    }
  }
  return out;
}

/** Read by Kafka where it is set: per mechanism for the per-mechanism settings, without one for the client handler. */
function readThere(p: Placed): boolean {
  return p.spec.perMechanism === (p.mechanism !== null);
}

function refusal(p: Placed): string | null {
  if (readThere(p)) {
    const mechanism = p.mechanism ?? '';
    const ok = p.spec.perMechanism ? p.spec.implemented(mechanism) : p.spec.implemented('');
    if (ok.includes(p.value)) return null;
    const serves = ok.length === 0 ? 'none' : ok.join(', ');
    const hint =
      p.value === `${OAUTH}.OAuthBearerLoginCallbackHandler`
        ? " (a broker's own OAUTHBEARER login is used only between nodes, where Gregor does not speak OAUTHBEARER)"
        : '';
    return `${p.key}=${p.value}: Gregor cannot load Java classes; what it implements here: ${serves}${hint}`;
  }
  if (p.spec.known.includes(p.value)) return null;
  return `${p.key}=${p.value}: Gregor cannot load Java classes (and Kafka's brokers read ${p.setting} only ${
    p.spec.perMechanism
      ? `per listener and mechanism, listener.name.<listener>.<mechanism>.${p.setting}`
      : 'without a mechanism prefix'
  })`;
}

/** Throws ConfigError naming the first class setting Gregor cannot honour. */
export function checkSaslClassSettings(config: BrokerConfig): void {
  for (const p of placed(config)) {
    const problem = refusal(p);
    if (problem !== null) throw new ConfigError(problem);
  }
}

/** One line per Kafka class set where Kafka's broker does not read it (so it has no effect, on Kafka too). */
export function saslClassSettingWarnings(config: BrokerConfig): string[] {
  return placed(config)
    .filter((p) => !readThere(p))
    .map(
      (p) =>
        `${p.key} is ignored, as Kafka's brokers ignore it: they read ${p.setting} only ${
          p.spec.perMechanism
            ? `per listener and mechanism (listener.name.<listener>.<mechanism>.${p.setting})`
            : `without a mechanism prefix (${p.setting} or listener.name.<listener>.${p.setting})`
        }`,
    );
}
