/** Errors of Gregor's small client: a Kafka error code with its name, and whether a retry may help. */
import { ERROR_INFO } from '../../protocol/generated/error-codes.js';

export class KafkaClientError extends Error {
  readonly code: number;
  readonly errorName: string;
  readonly retriable: boolean;
  /** The broker's own error message, when it sent one. */
  readonly detail: string | null;

  constructor(code: number, context: string, message?: string | null) {
    const info = ERROR_INFO.get(code);
    const name = info?.name ?? `ERROR_${code}`;
    super(`${context}: ${name}${message ? ` (${message})` : ''}`);
    this.name = 'KafkaClientError';
    this.code = code;
    this.errorName = name;
    this.retriable = info?.retriable ?? false;
    this.detail = message ?? null;
  }
}

/** A broker could not be reached or closed the connection. */
export class BrokerUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BrokerUnreachableError';
  }
}

/** Throws a KafkaClientError for a non-zero code. */
export function check(code: number, context: string, message?: string | null): void {
  if (code !== 0) throw new KafkaClientError(code, context, message);
}

/** A token could not be had: the tools print it and exit 1. */
export class OAuthTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OAuthTokenError';
  }
}

/** A client setting that is unknown, malformed or unused: exit code 2. */
export class ClientConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClientConfigError';
  }
}
