/**
 * The transaction code's requests to other brokers (WriteTxnMarkers from the coordinator,
 * AddPartitionsToTxn verifyOnly from a partition leader): one PeerClient per broker, at the
 * address of its inter-broker listener (the broker's endpoint of that name; a broker without one
 * is unreachable) taken from the metadata image, reopened when the registration changes it, over
 * the inter-broker transport (TLS and SASL as that listener needs: src/node/node-transports.ts).
 */
import type { ApiDefinition } from '../../protocol/generated/api-definition.js';
import type { Clock } from '../common/clock.js';
import type { Transport } from '../common/transport.js';
import type { MetadataImage } from '../metadata/image.js';
import { PeerClient, PeerRequestError } from '../controller/peer-client.js';

export class BrokerChannel {
  private readonly clients = new Map<number, { address: string; client: PeerClient }>();
  private closed = false;

  constructor(
    private readonly image: () => MetadataImage,
    private readonly listenerName: string,
    private readonly clock: Clock,
    private readonly clientId: string,
    private readonly timeoutMs: number,
    private readonly transport?: Transport,
  ) {}

  /** Sends one request to `brokerId`; rejects with PeerRequestError when it has no address or does not answer. */
  request<Req, Res>(brokerId: number, api: ApiDefinition<Req, Res>, version: number, body: Req): Promise<Res> {
    const client = this.client(brokerId);
    if (!client)
      return Promise.reject(new PeerRequestError(`broker ${brokerId} has no known address`, brokerId, 'unknown-peer'));
    return client.request(brokerId, api, version, body, this.timeoutMs);
  }

  private client(brokerId: number): PeerClient | null {
    if (this.closed) return null;
    const broker = this.image().brokers.get(brokerId);
    if (!broker || broker.fenced) return null;
    const endpoint = broker.endpoints.find((e) => e.name === this.listenerName);
    if (!endpoint) return null;
    const address = `${endpoint.host}:${endpoint.port}`;
    const known = this.clients.get(brokerId);
    if (known && known.address === address) return known.client;
    known?.client.close();
    const client = new PeerClient(new Map([[brokerId, { host: endpoint.host, port: endpoint.port }]]), {
      clock: this.clock,
      ...(this.transport ? { transport: this.transport } : {}),
      clientId: this.clientId,
      requestTimeoutMs: this.timeoutMs,
      reconnectBackoffMs: 200,
    });
    this.clients.set(brokerId, { address, client });
    return client;
  }

  close(): void {
    this.closed = true;
    for (const { client } of this.clients.values()) client.close();
    this.clients.clear();
  }
}
