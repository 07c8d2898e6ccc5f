/**
 * One connection of Gregor's client to one broker: size-prefixed frames, pipelined
 * requests matched by correlation id, and the API versions negotiated once with
 * ApiVersions v0 (which every broker answers), so each request goes at the highest
 * version both sides serve. Reads frames into buffers sized from the length prefix.
 * With security settings it speaks TLS (node:tls, checking the server certificate and,
 * unless turned off, its host name) and authenticates with SASL right after ApiVersions.
 */
import { Socket, isIP } from 'node:net';
import { nodeTls } from '../common/node-tls.js';
import { encodeFrame, readResponseHeader, writeRequestHeader } from '../../protocol/frame.js';
import { Reader } from '../../protocol/primitives/index.js';
import type { ApiDefinition } from '../../protocol/generated/api-definition.js';
import { ApiVersionsApi, defaultApiVersionsRequest } from '../../protocol/generated/messages/18-api-versions.js';
import { SaslHandshakeApi } from '../../protocol/generated/messages/17-sasl-handshake.js';
import {
  SaslAuthenticateApi,
  defaultSaslAuthenticateRequest,
} from '../../protocol/generated/messages/36-sasl-authenticate.js';
import { BrokerUnreachableError, KafkaClientError, TlsHandshakeError } from './errors.js';
import { authenticateSasl } from './sasl-client.js';
import type { ClientSecurity, ClientTls } from './security.js';

const MAX_RESPONSE_BYTES = 512 * 1024 * 1024;

interface Pending {
  resolve(frame: Buffer): void;
  reject(err: Error): void;
}

export interface ConnectionOptions {
  host: string;
  port: number;
  clientId: string;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  /** PLAINTEXT when absent. */
  security?: ClientSecurity;
}

export class BrokerConnection {
  private readonly pending = new Map<number, Pending>();
  private readonly versions = new Map<number, { min: number; max: number }>();
  private nextCorrelation = 1;
  private closedError: Error | null = null;
  private chunks: Buffer[] = [];
  private buffered = 0;

  private constructor(
    private readonly socket: Socket,
    private readonly options: ConnectionOptions,
  ) {
    socket.on('data', (data: Buffer) => this.onData(data));
    socket.on('error', (err) =>
      this.fail(
        isTlsFailure(err)
          ? new TlsHandshakeError(`${this.address}: TLS: ${err.message}`)
          : new BrokerUnreachableError(`${this.address}: ${err.message}`),
      ),
    );
    socket.on('close', () => this.fail(new BrokerUnreachableError(`${this.address}: connection closed`)));
  }

  /** The correlation id the next request will carry (send() takes it at once, before any await). */
  get nextCorrelationId(): number {
    return this.nextCorrelation;
  }

  get address(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  static async open(options: ConnectionOptions): Promise<BrokerConnection> {
    const where = `${options.host}:${options.port}`;
    const tls = options.security?.tls;
    const socket = tls ? tlsSocket(options.host, options.port, tls) : new Socket();
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        const timedOut = new BrokerUnreachableError(`${where}: no connection within ${options.connectTimeoutMs} ms`);
        timedOut.notConnected = {};
        reject(timedOut);
      }, options.connectTimeoutMs);
      socket.once(tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        if (tls && isTlsFailure(err)) {
          reject(new TlsHandshakeError(`${where}: TLS: ${err.message}`));
          return;
        }
        const failed = new BrokerUnreachableError(`${where}: ${tls ? 'TLS: ' : ''}${err.message}`);
        const resolvedAddress = (err as { address?: unknown }).address;
        failed.notConnected = typeof resolvedAddress === 'string' ? { resolvedAddress } : {};
        reject(failed);
      });
      if (!tls) socket.connect(options.port, options.host);
    });
    const connection = new BrokerConnection(socket, options);
    try {
      await connection.negotiate();
      const sasl = options.security?.sasl;
      if (sasl) await connection.authenticate(sasl);
    } catch (err) {
      connection.close();
      throw err;
    }
    return connection;
  }

  /**
   * The highest version of `api` both this client and the broker serve, or -1; at most `cap`
   * when given (the client names topics, and newer versions name them by id only).
   */
  versionFor(api: ApiDefinition<unknown, unknown>, cap = Number.MAX_SAFE_INTEGER): number {
    const range = this.versions.get(api.apiKey);
    if (!range) return -1;
    const max = Math.min(range.max, cap, api.latestVersionUnstable ? api.maxVersion - 1 : api.maxVersion);
    return max >= Math.max(range.min, api.minVersion) ? max : -1;
  }

  /**
   * UNSUPPORTED_VERSION for an API the node does not serve (a controller listener given as a bootstrap
   * server, say), with the message of Kafka's NodeApiVersions: "The node does not support METADATA".
   */
  private unsupported(api: ApiDefinition<unknown, unknown>): KafkaClientError {
    const key = api.name.replace(/(?<=[a-z0-9])(?=[A-Z])/g, '_').toUpperCase();
    const range = this.versions.get(api.apiKey);
    const detail = range
      ? `The node does not support ${key} with version in range [${api.minVersion},${api.maxVersion}]. The supported range is [${range.min},${range.max}].`
      : `The node does not support ${key}`;
    return new KafkaClientError(35, `${api.name} on ${this.address}`, detail);
  }

  /** Sends one request at the negotiated (or given) version and decodes its response. */
  async send<Req, Res>(
    api: ApiDefinition<Req, Res>,
    request: Req,
    version = this.versionFor(api as ApiDefinition<unknown, unknown>),
  ): Promise<Res> {
    if (version < 0) throw this.unsupported(api as ApiDefinition<unknown, unknown>);
    const frame = await this.roundTrip(api, version, request);
    const reader = new Reader(frame);
    readResponseHeader(reader, api.apiKey, version);
    return api.decodeResponse(reader, version);
  }

  /** Sends a request that gets no response (Produce with acks=0). */
  async sendWithoutResponse<Req, Res>(api: ApiDefinition<Req, Res>, request: Req, cap?: number): Promise<void> {
    if (this.closedError) throw this.closedError;
    const version = this.versionFor(api as ApiDefinition<unknown, unknown>, cap);
    if (version < 0) throw this.unsupported(api as ApiDefinition<unknown, unknown>);
    const frames = this.encode(api, version, request, this.nextCorrelation++);
    await new Promise<void>((resolve, reject) => {
      for (let i = 0; i < frames.length; i++) {
        if (i < frames.length - 1) this.socket.write(frames[i]!);
        else this.socket.write(frames[i]!, (err) => (err ? reject(err) : resolve()));
      }
    });
  }

  get isClosed(): boolean {
    return this.closedError !== null;
  }

  close(): void {
    this.socket.destroy();
  }

  private async negotiate(): Promise<void> {
    const response = await this.send(ApiVersionsApi, defaultApiVersionsRequest(), 0);
    if (response.errorCode !== 0) throw new KafkaClientError(response.errorCode, `ApiVersions on ${this.address}`);
    for (const key of response.apiKeys) this.versions.set(key.apiKey, { min: key.minVersion, max: key.maxVersion });
  }

  private async authenticate(sasl: NonNullable<ClientSecurity['sasl']>): Promise<void> {
    if (this.versionFor(SaslHandshakeApi as ApiDefinition<unknown, unknown>) < 1) {
      throw new KafkaClientError(
        35,
        `SaslHandshake v1 on ${this.address}`,
        'the broker does not serve SaslHandshake v1 with SaslAuthenticate',
      );
    }
    await authenticateSasl(
      {
        address: this.address,
        handshake: (mechanism) => this.send(SaslHandshakeApi, { mechanism }, 1),
        authenticate: (authBytes) => this.send(SaslAuthenticateApi, { ...defaultSaslAuthenticateRequest(), authBytes }),
      },
      sasl,
    );
  }

  private roundTrip<Req, Res>(api: ApiDefinition<Req, Res>, version: number, request: Req): Promise<Buffer> {
    if (this.closedError) return Promise.reject(this.closedError);
    const correlationId = this.nextCorrelation++;
    const frames = this.encode(api, version, request, correlationId);
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(correlationId);
        reject(
          new BrokerUnreachableError(
            `${api.name} to ${this.address}: no answer within ${this.options.requestTimeoutMs} ms`,
          ),
        );
      }, this.options.requestTimeoutMs);
      this.pending.set(correlationId, {
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
      for (const chunk of frames) this.socket.write(chunk);
    });
  }

  private encode<Req, Res>(
    api: ApiDefinition<Req, Res>,
    version: number,
    request: Req,
    correlationId: number,
  ): Buffer[] {
    return encodeFrame((w) => {
      writeRequestHeader(w, {
        requestApiKey: api.apiKey,
        requestApiVersion: version,
        correlationId,
        clientId: this.options.clientId,
      });
      api.encodeRequest(w, version, request);
    });
  }

  private onData(data: Buffer): void {
    this.chunks.push(data);
    this.buffered += data.length;
    while (this.buffered >= 4) {
      const head = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
      this.chunks = [head];
      const size = head.readInt32BE(0);
      if (size < 4 || size > MAX_RESPONSE_BYTES) {
        this.fail(new BrokerUnreachableError(`${this.address}: response frame of ${size} bytes`));
        this.socket.destroy();
        return;
      }
      if (head.length < 4 + size) return;
      const frame = head.subarray(4, 4 + size);
      const rest = head.subarray(4 + size);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      const correlationId = frame.readInt32BE(0);
      const waiter = this.pending.get(correlationId);
      if (waiter) {
        this.pending.delete(correlationId);
        waiter.resolve(frame);
      }
    }
  }

  private fail(err: Error): void {
    if (this.closedError) return;
    this.closedError = err;
    for (const waiter of this.pending.values()) waiter.reject(err);
    this.pending.clear();
  }
}

function tlsSocket(host: string, port: number, tls: ClientTls): Socket {
  return nodeTls().connect({
    host,
    port,
    servername: isIP(host) === 0 ? host : undefined,
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
    ...(tls.pfx !== undefined ? { pfx: tls.pfx } : {}),
    ...(tls.passphrase !== undefined ? { passphrase: tls.passphrase } : {}),
    rejectUnauthorized: true,
    ...(tls.checkHostname ? {} : { checkServerIdentity: () => undefined }),
  });
}

/**
 * Whether a socket error is a TLS handshake's refusal (a certificate not trusted or refused, a
 * protocol alert) rather than the network's: Kafka's clients fail such a call at once
 * (SslAuthenticationException) where they retry a broker that does not answer.
 */
function isTlsFailure(err: Error): boolean {
  const code = 'code' in err && typeof err.code === 'string' ? err.code : '';
  return (
    /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_)/.test(code) ||
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'HOSTNAME_MISMATCH'].includes(code)
  );
}
