/**
 * The operations HTTP listener (`metrics.listener=http://host:port`, off unless set):
 *   GET /metrics  Prometheus text format, from the prom-client registry
 *   GET /livez    200 while the process answers
 *   GET /readyz   200 when every readiness check passes, else 503; JSON lists the checks
 *   /ui/...       the web console (src/console/), once the broker attaches it
 * Anything else is 404, a method other than GET/HEAD 405 (the console also takes POST). Only http:// is served; an
 * https:// listener (or any other scheme) is refused at start-up, naming the setting.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { ConfigError } from '../common/config.js';
import type { Logger } from '../common/logger.js';
import type { BrokerViewSource } from './broker-view.js';
import { readiness } from './readiness.js';

export const METRICS_LISTENER_CONFIG = 'metrics.listener';

export interface HttpListenerAddress {
  host: string;
  port: number;
}

/** Parses `http://host:port` (port 0: an ephemeral one); throws ConfigError for anything else. */
export function parseMetricsListener(value: string): HttpListenerAddress {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(
      `Invalid value ${value} for configuration ${METRICS_LISTENER_CONFIG}: expected http://host:port`,
    );
  }
  if (url.protocol !== 'http:') {
    throw new ConfigError(
      `Invalid value ${value} for configuration ${METRICS_LISTENER_CONFIG}: only http:// is supported`,
    );
  }
  if (url.port === '' || url.pathname !== '/' || url.search !== '' || url.username !== '') {
    throw new ConfigError(
      `Invalid value ${value} for configuration ${METRICS_LISTENER_CONFIG}: expected http://host:port with an explicit port`,
    );
  }
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(url.port) };
}

export type UiHandler = (req: IncomingMessage, res: ServerResponse) => void;

export class OpsHttpListener {
  private server: Server | null = null;
  /** Serves /ui once set. */
  ui: UiHandler | null = null;
  /** The bound address, once listening. */
  address: HttpListenerAddress | null = null;

  constructor(
    private readonly registry: Registry,
    private readonly view: BrokerViewSource,
    private readonly log: Logger,
  ) {}

  async listen(at: HttpListenerAddress): Promise<HttpListenerAddress> {
    const server = createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: at.host, port: at.port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const bound = server.address();
    this.address = { host: at.host, port: typeof bound === 'object' && bound !== null ? bound.port : at.port };
    return this.address;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (path === '/ui' || path.startsWith('/ui/')) {
        if (this.ui) return this.ui(req, res);
        return send(res, 503, 'text/plain', 'the console is not available until the broker serves\n');
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
      if (path === '/metrics') return send(res, 200, this.registry.contentType, await this.registry.metrics());
      if (path === '/livez') return send(res, 200, 'text/plain', 'ok\n');
      if (path === '/readyz') {
        const checks = readiness(this.view());
        const ready = checks.every((c) => c.ok);
        return send(res, ready ? 200 : 503, 'application/json', `${JSON.stringify({ ready, checks })}\n`);
      }
      send(res, 404, 'text/plain', 'not found: try /metrics, /livez, /readyz or /ui\n');
    } catch (err) {
      this.log.warn({ err, url: req.url }, 'operations HTTP request failed');
      if (!res.headersSent) send(res, 500, 'text/plain', 'internal error\n');
      else res.destroy();
    }
  }

  close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server === null) return Promise.resolve();
    return new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
