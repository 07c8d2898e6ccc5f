/**
 * The sockets of a node's listeners: one TCP server per listener, a TLS one for SSL and
 * SASL_SSL (the client principal from its certificate), SASL authentication on the SASL_*
 * listeners, and a Connection per accepted socket, handed to the dispatcher. Connections
 * accepted before the dispatcher is attached are closed; those of client listeners are held unread
 * until the broker opens them (`openClientListeners`: caught up with the metadata and unfenced). The composition root (src/node/)
 * builds it, attaches the dispatcher once the services exist, and closes it on stop.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Server as TlsServer } from 'node:tls';
import type { BrokerConfig } from '../common/config.js';
import { nodeTls } from '../common/node-tls.js';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { Dispatcher, ConnectionInfo } from './dispatcher.js';
import { Connection } from './connection.js';
import { ensureCompatibleKeystore, listenerTls, type ListenerTls } from './tls.js';
import { listenerSasl, type ListenerSasl } from './sasl/listener-sasl.js';
import { SaslAuthenticator } from './sasl/authenticator.js';
import type { ScramCredentialLookup } from './sasl/scram.js';
import { ANONYMOUS, type KafkaPrincipal } from './principal.js';
import type { ListenerSpec } from './listeners.js';
import type { ListenerHost } from '../common/transport.js';
import { schedulerFor, type Scheduler } from '../common/scheduler.js';
import { ConnectionRateGate, type ConnectionRates } from './connection-rate.js';
import { saslClassSettingWarnings } from '../common/sasl-class-settings.js';

/** Client sockets held while the client listeners are not open yet; more are closed. */
const MAX_PARKED_SOCKETS = 512;

export interface BoundListener {
  name: string;
  /** Where a client on this machine reaches it: the listener's host, 127.0.0.1 for an empty one. */
  host: string;
  /** The address the socket listens on, as Kafka logs it: the listener's host, 0.0.0.0 (every interface) for an empty one. */
  bindHost: string;
  port: number;
  securityProtocol: string;
}

export interface ListenerServersOptions {
  config: BrokerConfig;
  clock: Clock;
  /** kafka.server: TLS refusals and reloads. */
  log: Logger;
  /** kafka.network: the connections' own logger. */
  networkLog: Logger;
  /** SCRAM credentials (from the metadata image), for the SASL listeners. */
  scramCredential: ScramCredentialLookup;
  /**
   * Why a new connection must be refused (max.connections, max.connections.per.ip), given those
   * open now; null to accept it. Read at each accept, so dynamic changes apply.
   */
  refuseConnection?: (listenerName: string, clientHost: string, open: readonly ConnectionInfo[]) => string | null;
  /** Told of every closed connection (the controller fences a broker whose heartbeat connection closed). */
  onConnectionClosed?: (info: ConnectionInfo) => void;
  /** Serve PLAINTEXT listeners through this host instead of sockets (the simulation, src/sim/). */
  listenerHost?: ListenerHost;
  /** Connection creation rates (max.connection.creation.rate, ip connection_creation_rate); listeners `exempt` are not limited. */
  connectionRates?: { rates: ConnectionRates; exempt: (listenerName: string) => boolean };
}

export class ListenerServers {
  /** TLS settings of the SSL and SASL_SSL listeners, checked before anything starts. */
  private readonly listenerTls = new Map<string, ListenerTls>();
  private readonly handshaking = new Set<Socket>();
  private readonly tlsServers = new Map<string, TlsServer>();
  /** SASL settings of the SASL_PLAINTEXT and SASL_SSL listeners. */
  private readonly listenerSasl = new Map<string, ListenerSasl>();
  private readonly servers: Array<{ spec: ListenerSpec; server: Server }> = [];
  private readonly connections = new Set<Connection>();
  private nextConnectionId = 1;
  private dispatcher: Dispatcher | null = null;
  /** Timers of the connections (quota mutes, re-authentication deadlines). */
  private readonly scheduler: Scheduler;
  /** New sockets wait here while a connection creation rate is over its limit. */
  private readonly rateGate: ConnectionRateGate<Socket> | null;
  readonly bound: BoundListener[] = [];

  constructor(private readonly options: ListenerServersOptions) {
    this.scheduler = schedulerFor(options.clock);
    const rates = options.connectionRates;
    this.rateGate = rates
      ? new ConnectionRateGate<Socket>(rates.rates, this.scheduler, rates.exempt, (listener, client, throttleMs) =>
          options.log.info(
            { listener, client, throttleMs },
            `connection from ${client} over its connection_creation_rate quota: closed after ${throttleMs} ms`,
          ),
        )
      : null;
  }

  /** Loads every listener's TLS and SASL settings: a bad one throws before anything starts. */
  prepare(listeners: readonly ListenerSpec[]): void {
    const { config, clock, scramCredential } = this.options;
    for (const warning of saslClassSettingWarnings(config)) this.options.log.warn(warning);
    for (const spec of listeners) {
      if (spec.securityProtocol === 'SSL' || spec.securityProtocol === 'SASL_SSL') {
        const tls = listenerTls(config, spec.name, spec.securityProtocol);
        if (tls.warning !== undefined) this.options.log.warn({ listener: spec.name }, tls.warning);
        this.listenerTls.set(spec.name, tls);
      }
      if (spec.securityProtocol.startsWith('SASL_')) {
        const sasl = listenerSasl(config, spec.name, scramCredential, () => clock.now());
        for (const warning of sasl.warnings) this.options.log.warn({ listener: spec.name }, warning);
        this.listenerSasl.set(spec.name, sasl);
      }
    }
  }

  /** From now on accepted sockets become connections served by `dispatcher`. */
  attach(dispatcher: Dispatcher): void {
    this.dispatcher = dispatcher;
  }

  /**
   * Client listeners (every listener but the controller listeners) serve only after this call: a
   * broker opens them once it has caught up with the metadata log and is unfenced, as Kafka's
   * BrokerServer enables request processing only then. Until then their sockets are held unread
   * (`park`). Controller listeners serve as soon as a dispatcher is attached.
   */
  openClientListeners(): void {
    this.clientListenersOpen = true;
    const parked = [...this.parked];
    this.parked.clear();
    for (const { spec, socket, principal } of parked) {
      if (socket.destroyed) continue;
      socket.resume();
      this.accept(spec, socket, principal);
    }
  }

  /**
   * Client sockets accepted before the client listeners open: held unread (as connections wait in
   * a Kafka broker's accept backlog until it enables request processing), so a client that connects
   * while the node catches up is answered then instead of reset. Bounded; closed on shutdown.
   */
  private readonly parked = new Set<{ spec: ListenerSpec; socket: Socket; principal: KafkaPrincipal }>();

  private park(spec: ListenerSpec, socket: Socket, principal: KafkaPrincipal): void {
    if (this.parked.size >= MAX_PARKED_SOCKETS || this.closing || this.clientListenersOpen) {
      socket.destroy();
      return;
    }
    const entry = { spec, socket, principal };
    socket.pause();
    socket.on('error', () => undefined);
    socket.once('close', () => this.parked.delete(entry));
    this.parked.add(entry);
  }

  private closing = false;

  private clientListenersOpen = false;

  /** Client sockets held unread until the client listeners open. */
  get heldSockets(): number {
    return this.parked.size;
  }

  /** Whether the client listeners serve (openClientListeners was called). */
  get servingClients(): boolean {
    return this.clientListenersOpen;
  }

  /** The dispatcher that serves `listenerName` now, or null while it must not serve. */
  private servingDispatcher(listenerName: string): Dispatcher | null {
    if (this.clientListenersOpen) return this.dispatcher;
    return this.isControllerListener(listenerName) ? this.dispatcher : null;
  }

  private isControllerListener(listenerName: string): boolean {
    const controllerNames = this.options.config.list('controller.listener.names').map((n) => n.toUpperCase());
    return controllerNames.includes(listenerName.toUpperCase());
  }

  listen(spec: ListenerSpec): Promise<void> {
    if (this.options.listenerHost) return this.listenInProcess(spec, this.options.listenerHost);
    const server = this.createListenerServer(spec);
    return new Promise((resolveListen, reject) => {
      server.once('error', reject);
      const backlog = this.options.config.int('socket.listen.backlog.size');
      // Kafka binds an empty host on the wildcard address (InetSocketAddress(port)).
      const bindHost = spec.host === '' ? '0.0.0.0' : spec.host;
      server.listen({ host: bindHost, port: spec.port, backlog }, () => {
        server.off('error', reject);
        const address = server.address();
        const port = typeof address === 'object' && address ? address.port : spec.port;
        this.servers.push({ spec, server });
        this.bound.push({
          name: spec.name,
          host: spec.host === '' ? '127.0.0.1' : spec.host,
          bindHost,
          port,
          securityProtocol: spec.securityProtocol,
        });
        this.options.networkLog.info(`Awaiting socket connections on ${bindHost}:${port}.`);
        resolveListen();
      });
    });
  }

  /** A listener served through the listener host (no socket): PLAINTEXT only. */
  private listenInProcess(spec: ListenerSpec, host: ListenerHost): Promise<void> {
    if (spec.securityProtocol !== 'PLAINTEXT')
      return Promise.reject(new Error(`listener ${spec.name}: in-process listeners serve PLAINTEXT only`));
    const port = host.listen(spec.host, spec.port, (frame, client) => {
      const dispatcher = this.servingDispatcher(spec.name);
      if (!dispatcher) return Promise.resolve({ kind: 'close', reason: 'not serving yet' });
      return dispatcher.dispatch(frame, {
        connectionId: client.connectionId,
        listenerName: spec.name,
        securityProtocol: spec.securityProtocol,
        clientHost: client.host,
        clientPort: client.port,
        principal: ANONYMOUS,
      });
    });
    this.bound.push({
      name: spec.name,
      host: spec.host,
      bindHost: spec.host,
      port,
      securityProtocol: spec.securityProtocol,
    });
    return Promise.resolve();
  }

  /** A plain TCP server, or a TLS one for SSL and SASL_SSL listeners (client principal from the certificate). */
  private createListenerServer(spec: ListenerSpec): Server {
    const tls = this.listenerTls.get(spec.name);
    if (!tls) return createServer((socket) => this.admit(spec, socket, () => this.accept(spec, socket, ANONYMOUS)));
    const log = this.options.log;
    const server = nodeTls().createServer(tls.options, (socket) => {
      let principal: KafkaPrincipal;
      try {
        // The settings in force now: certificates may have been reloaded since the server started.
        principal = (this.listenerTls.get(spec.name) ?? tls).principalOf(socket);
      } catch (err) {
        log.info(
          { listener: spec.name, client: socket.remoteAddress, err: (err as Error).message },
          `Failed authentication with /${socket.remoteAddress ?? ''} (${(err as Error).message})`,
        );
        socket.destroy();
        return;
      }
      this.admit(spec, socket, () => this.accept(spec, socket, principal));
    });
    // Sockets still in their TLS handshake are not Connections yet; close() ends them too.
    server.on('connection', (raw: Socket) => {
      void raw.remoteAddress; // read now, while the socket is open: node keeps it for handshakeAddress
      this.handshaking.add(raw);
      raw.once('close', () => this.handshaking.delete(raw));
    });
    this.tlsServers.set(spec.name, server);
    // Kafka's Selector logs a failed handshake (a plaintext client on an SSL listener, say) at INFO.
    server.on('tlsClientError', (err, socket) => {
      // node refuses a client certificate that does not verify after the handshake, with no TLS alert
      // and no error of its own ("socket hang up"): its verification code is the reason. Logged at
      // info, as Kafka's Selector logs a failed SSL authentication.
      const refusedCertificate = socket.authorizationError as string | Error | undefined;
      if (refusedCertificate !== undefined && refusedCertificate !== null) {
        const client = handshakeAddress(socket);
        log.info(
          { listener: spec.name, client, reason: String(refusedCertificate) },
          `Failed authentication with /${client} (SSL handshake failed: client certificate refused, ${String(refusedCertificate)})`,
        );
      } else {
        const client = handshakeAddress(socket);
        log.info(
          { listener: spec.name, client, err: err.message },
          `Failed authentication with /${client} (SSL handshake failed)`,
        );
      }
      socket.destroy();
    });
    return server;
  }

  /** Through the connection creation rates first (the socket may wait, or be closed after a throttle). */
  private admit(spec: ListenerSpec, socket: Socket, accept: () => void): void {
    if (!this.rateGate || !this.dispatcher) {
      accept();
      return;
    }
    // A client that gives up while its socket waits must not be an unhandled error.
    socket.on('error', () => undefined);
    this.rateGate.admit(spec.name, socket.remoteAddress ?? '', socket, () => {
      if (!socket.destroyed) accept();
    });
  }

  private accept(spec: ListenerSpec, socket: Socket, principal: KafkaPrincipal): void {
    const dispatcher = this.servingDispatcher(spec.name);
    if (!dispatcher) {
      if (this.isControllerListener(spec.name)) socket.destroy();
      else this.park(spec, socket, principal);
      return;
    }
    const { config } = this.options;
    const refusal = this.options.refuseConnection?.(
      spec.name,
      socket.remoteAddress ?? '',
      [...this.connections].map((c) => c.info),
    );
    if (refusal) {
      this.options.log.info({ listener: spec.name, client: socket.remoteAddress }, `connection refused: ${refusal}`);
      socket.destroy();
      return;
    }
    const info: ConnectionInfo = {
      connectionId: this.nextConnectionId++,
      listenerName: spec.name,
      securityProtocol: spec.securityProtocol,
      clientHost: socket.remoteAddress ?? '',
      clientPort: socket.remotePort ?? 0,
      principal,
    };
    const sasl = this.listenerSasl.get(spec.name);
    const connection = new Connection(
      socket,
      info,
      dispatcher,
      {
        maxRequestBytes: config.int('socket.request.max.bytes'),
        maxInFlight: config.int('queued.max.requests'),
        idleMs: config.int('connections.max.idle.ms'),
      },
      this.options.networkLog,
      (c) => {
        this.connections.delete(c);
        this.options.onConnectionClosed?.(c.info);
      },
      sasl ? new SaslAuthenticator(sasl, info, dispatcher) : null,
      this.scheduler,
    );
    this.connections.add(connection);
  }

  /**
   * Loads the TLS settings of every TLS listener again from `config` (the effective one, with
   * dynamic configs) for new connections. Settings that do not load are logged and the previous
   * ones stay in force.
   */
  reloadTls(config: BrokerConfig, changedConfig: string): void {
    const log = this.options.log;
    for (const [name, server] of this.tlsServers) {
      try {
        const previous = this.listenerTls.get(name);
        const next = listenerTls(config, name, previous?.protocol ?? 'SSL');
        if (previous !== undefined) ensureCompatibleKeystore(config, name, previous.options, next.options);
        server.setSecureContext(next.options);
        this.listenerTls.set(name, next);
        log.info({ listener: name, config: changedConfig }, 'TLS settings reloaded');
      } catch (err) {
        log.error(
          { listener: name, config: changedConfig, err: (err as Error).message },
          'TLS settings not reloaded; the previous ones stay in force',
        );
      }
    }
  }

  /** Who is connected, on which listener, as whom. */
  openConnections(): ConnectionInfo[] {
    return [...this.connections].map((c) => c.info);
  }

  /** Stops accepting; the promise settles once every server has closed. */
  stopAccepting(): Promise<void> {
    return Promise.all(
      this.servers.map(({ server }) => new Promise<void>((resolveClose) => server.close(() => resolveClose()))),
    ).then(() => undefined);
  }

  /** Closes every connection and every socket still in its TLS handshake. */
  closeConnections(): void {
    this.closing = true;
    for (const { socket } of this.parked) socket.destroy();
    this.parked.clear();
    this.rateGate?.close();
    for (const c of this.connections) c.close('shutdown');
    for (const raw of this.handshaking) raw.destroy();
    this.handshaking.clear();
    this.connections.clear();
  }
}

/**
 * The client address of a TLS socket node has already closed (its own remoteAddress is gone then):
 * the TCP socket it wraps, whose address was read on accept. node names that socket `_parent` and
 * has no public link to it.
 */
function handshakeAddress(socket: Socket): string {
  const parent = (socket as Socket & { _parent?: Socket | null })._parent;
  return socket.remoteAddress ?? parent?.remoteAddress ?? 'unknown';
}
