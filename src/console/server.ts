/**
 * The web console's HTTP server: server-rendered pages under /ui over the protocol
 * client, so it works against any Kafka-compatible cluster. Read-only mode refuses every
 * change (403) and hides the forms that make them. Form bodies are capped at 1 MiB.
 * Who the console acts as is login.ts's: one shared client (whoever reaches the port acts as
 * it: bind it to 127.0.0.1 or put it behind a proxy), or, with a login, each browser user's own
 * SASL credentials from HTTP Basic, so the cluster authenticates and authorizes them as on its
 * Kafka port: refused credentials get 401, denied operations 403.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Cluster } from '../client/cluster.js';
import { KafkaClientError, BrokerUnreachableError } from '../client/errors.js';
import { html, page } from './html.js';
import { basicCredentials, LoginSessions, type ConsoleAccess } from './login.js';
import { groupPage, groupsPage, overviewPage, produceMessage, producePage, resetGroup, topicPage } from './pages.js';

const MAX_FORM_BYTES = 1024 * 1024;

export interface ConsoleOptions {
  /** The one client every visitor acts as; or `login` instead. */
  cluster?: Cluster;
  /** Each visitor signs in with HTTP Basic; their credentials are used as SASL on the cluster. */
  login?: Extract<ConsoleAccess, { kind: 'login' }>;
  readOnly: boolean;
}

const SASL_AUTHENTICATION_FAILED = 58;
/** TOPIC_, GROUP_, CLUSTER_ and TRANSACTIONAL_ID_AUTHORIZATION_FAILED: shown as 403. */
const AUTHORIZATION_FAILED = new Set([29, 30, 31, 53]);

export interface RunningConsole {
  server: Server;
  url: string;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) throw new HttpError(413, 'the form is larger than 1 MiB');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export interface ConsoleHandler {
  (request: IncomingMessage, response: ServerResponse): void;
  /** Closes the clients of logged-in users (not a shared cluster, which belongs to the caller). */
  close(): void;
}

export function consoleHandler(options: ConsoleOptions): ConsoleHandler {
  const { readOnly } = options;
  if ((options.cluster === undefined) === (options.login === undefined))
    throw new Error('the console takes either a cluster or a login');
  const sessions = options.login ? new LoginSessions(options.login) : null;
  const send = (response: ServerResponse, status: number, title: string, body: ReturnType<typeof html>): void => {
    response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(page(title, body, readOnly));
  };
  const route = async (request: IncomingMessage, response: ServerResponse, cluster: Cluster): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://console');
    const parts = url.pathname
      .split('/')
      .filter((p) => p !== '')
      .map(decodeURIComponent);
    const method = request.method ?? 'GET';
    if (parts[0] !== 'ui') {
      response.writeHead(302, { location: '/ui' });
      response.end();
      return;
    }
    const isChange = method === 'POST';
    if (isChange && readOnly) throw new HttpError(403, 'the console is read-only (console.read.only=true)');
    if (parts.length === 1) return send(response, 200, 'Overview', await overviewPage(cluster));
    if (parts[1] === 'topics' && parts[2] !== undefined && parts.length === 3)
      return send(response, 200, `Topic ${parts[2]}`, await topicPage(cluster, parts[2], url.searchParams));
    if (parts[1] === 'groups' && parts.length === 2)
      return send(response, 200, 'Consumer groups', await groupsPage(cluster));
    if (parts[1] === 'groups' && parts[2] !== undefined && parts.length === 3)
      return send(response, 200, `Group ${parts[2]}`, await groupPage(cluster, parts[2], readOnly, null));
    if (parts[1] === 'groups' && parts[2] !== undefined && parts[3] === 'reset' && isChange) {
      const form = await readForm(request);
      const target = form.get('target') === 'latest' ? 'latest' : 'earliest';
      const apply = form.get('apply') === '1';
      const rows = await resetGroup(cluster, parts[2], target, apply);
      return send(
        response,
        200,
        `Group ${parts[2]}`,
        await groupPage(cluster, parts[2], readOnly, { rows, applied: apply, target }),
      );
    }
    if (parts[1] === 'produce' && parts.length === 2) {
      if (readOnly) throw new HttpError(403, 'the console is read-only (console.read.only=true)');
      if (!isChange) return send(response, 200, 'Produce', producePage(null));
      const result = await produceMessage(cluster, await readForm(request));
      return send(response, 200, 'Produce', producePage(html`<div class="notice" id="produced">${result}</div>`));
    }
    throw new HttpError(404, `no page at ${url.pathname}`);
  };
  const challenge = (response: ServerResponse, message: string): void => {
    response.setHeader('www-authenticate', 'Basic realm="Gregor console", charset="UTF-8"');
    send(response, 401, 'Sign in', html`<div class="error">${message}</div>`);
  };
  const handler = (request: IncomingMessage, response: ServerResponse): void => {
    const credentials = sessions ? basicCredentials(request) : null;
    if (sessions && credentials === null) {
      challenge(response, 'sign in with a user of the cluster (its SASL user name and password)');
      return;
    }
    const cluster = credentials ? sessions!.clusterFor(credentials) : options.cluster!;
    route(request, response, cluster).catch((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      if (credentials && err instanceof KafkaClientError && err.code === SASL_AUTHENTICATION_FAILED) {
        sessions!.forget(credentials);
        if (!response.headersSent) challenge(response, message);
        else response.end();
        return;
      }
      const status =
        err instanceof HttpError
          ? err.status
          : err instanceof KafkaClientError && err.code === 3
            ? 404
            : err instanceof KafkaClientError && AUTHORIZATION_FAILED.has(err.code)
              ? 403
              : err instanceof KafkaClientError || err instanceof BrokerUnreachableError
                ? 502
                : 500;
      if (!response.headersSent) send(response, status, 'Error', html`<div class="error">${message}</div>`);
      else response.end();
    });
  };
  return Object.assign(handler, { close: () => sessions?.close() });
}

/** Starts the console on host:port (port 0: an ephemeral one). */
export async function startConsole(options: ConsoleOptions & { host: string; port: number }): Promise<RunningConsole> {
  const handler = consoleHandler(options);
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    server,
    url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${address.port}/ui`,
    close: () =>
      new Promise((resolve) => {
        handler.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
