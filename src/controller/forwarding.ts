/**
 * Forwarding from a broker to the active controller, as KRaft brokers do (KIP-590): a
 * metadata-changing request (CreateTopics, DeleteTopics, CreatePartitions, AlterConfigs,
 * IncrementalAlterConfigs, AlterPartitionReassignments, CreateAcls, DeleteAcls, ElectLeaders,
 * AlterClientQuotas, UnregisterBroker) arriving at a node whose controller is not
 * the Raft leader is wrapped, header and body as they came, in an Envelope (58) and sent to the
 * leader's controller listener; the leader runs it and returns the response (header + body), which
 * goes back to the client unchanged (its correlation id is the client's own), once this node has
 * applied what the leader had committed by then (read-your-writes, bounded to 2 s).
 *
 * Waiting: with no known leader the request waits for one (or a leader change after the leader
 * answered NOT_CONTROLLER or could not be reached) until `timeoutMs`; then `forward` answers null
 * and the caller runs the request locally, where the handler answers NOT_CONTROLLER (retriable:
 * clients refresh metadata and retry). Null also means "this node leads now: serve it here"; a node
 * elected Raft leader whose controller is not active yet (it has not applied its epoch's LeaderChange
 * entry) waits for that too, as a request forwarded to a not-yet-active leader is retried.
 * The envelope carries the client's principal, which the controller authorizes again (a broker's
 * own request, auto-creation, carries none and runs as the inter-broker principal).
 * An envelope error other than NOT_CONTROLLER (CLUSTER_AUTHORIZATION_FAILED for a broker principal
 * without CLUSTER_ACTION, a principal that does not decode...) is a broker misconfiguration: as Kafka's
 * ForwardingManager, the client gets UNKNOWN_SERVER_ERROR in the request's own shape (the caller builds
 * it from `EnvelopeRefused`), not a retriable code it would retry forever; UNSUPPORTED_VERSION closes
 * the client's connection so that it asks ApiVersions again.
 * Leaves out: the SCRAM APIs.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { EnvelopeApi } from '../../protocol/generated/messages/58-envelope.js';
import { DescribeQuorumApi } from '../../protocol/generated/messages/55-describe-quorum.js';
import { METADATA_PARTITION, METADATA_TOPIC } from './raft-wire.js';
import { encodeDefaultPrincipalData } from '../../protocol/generated/data/DefaultPrincipalData.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { Reader, Writer } from '../../protocol/primitives/index.js';
import { readResponseHeader, writeRequestHeader } from '../../protocol/frame.js';
import type { ApiDefinition } from '../../protocol/generated/api-definition.js';
import type { Logger } from '../common/logger.js';
import type { Clock } from '../common/clock.js';
import { schedulerFor } from '../common/scheduler.js';
import type { QuorumNode } from './quorum-node.js';
import type { PeerClient } from './peer-client.js';
import type { KafkaPrincipal } from '../common/principal.js';

/** What forwarding needs of the quorum node (a narrow port, so tests can fake it). */
export type ForwardingQuorum = Pick<QuorumNode, 'leaderId' | 'isLeader' | 'onceLeaderChange' | 'waitApplied'> & {
  readonly peers: Pick<PeerClient, 'knows' | 'request'> | null;
};

/** API keys a broker forwards to the active controller (Kafka's `forwardable` APIs that Gregor serves). */
export const FORWARDED_API_KEYS: ReadonlySet<number> = new Set([19, 20, 30, 31, 33, 37, 43, 44, 45, 49, 51, 64]);

/**
 * Of those, the ones whose handler forwards only part of the request (AlterConfigs and
 * IncrementalAlterConfigs: as Kafka's broker, it answers logger levels and mis-addressed broker
 * resources itself and forwards the rest, see admin/alter-configs-forwarding.ts).
 */
const FORWARDED_BY_HANDLER: ReadonlySet<number> = new Set([33, 44]);

/** Who a request re-encoded by a handler comes from: its principal is authorized again by the controller. */
export interface ForwardedFrom {
  readonly clientId: string | null;
  readonly clientHost: string;
  readonly principal: KafkaPrincipal | null;
}

/** Kafka's DefaultPrincipalData serialization: int16 version, then the v0 struct. */
export function serializePrincipal(type: string, name: string): Buffer {
  const w = new Writer();
  w.int16(0);
  encodeDefaultPrincipalData(w, 0, { type, name, tokenAuthenticated: false });
  return w.toBuffer();
}

/** The client's address as Kafka sends it in an Envelope: the 4 or 16 raw bytes of the IP. */
export function hostAddressBytes(host: string): Buffer {
  const plain = host.startsWith('::ffff:') && isIPv4(host.slice(7)) ? host.slice(7) : host;
  if (isIPv4(plain)) return Buffer.from(plain.split('.').map(Number));
  if (isIPv6(plain)) {
    const [head = '', tail = ''] = plain.split('::');
    const parts = (s: string): number[] => (s === '' ? [] : s.split(':').map((p) => parseInt(p, 16)));
    const h = parts(head);
    const tl = parts(tail);
    const groups = plain.includes('::') ? [...h, ...new Array<number>(8 - h.length - tl.length).fill(0), ...tl] : h;
    const out = Buffer.alloc(16);
    groups.slice(0, 8).forEach((g, i) => out.writeUInt16BE(g & 0xffff, i * 2));
    return out;
  }
  return Buffer.from([127, 0, 0, 1]);
}

export interface ForwardOptions {
  readonly quorum: ForwardingQuorum;
  readonly nodeId: number;
  /** How long a request may wait for a reachable leader before the local NOT_CONTROLLER answer. */
  readonly timeoutMs: number;
  readonly logger: Logger;
  readonly clock: Clock;
}

/** How often a node elected Raft leader checks whether its controller is active yet. */
const ACTIVATION_POLL_MS = 10;

/** The longest a forwarded answer waits for this node to apply the leader's commit. */
const CATCH_UP_MAX_MS = 2000;

/** The active controller refused the envelope itself (not NOT_CONTROLLER): the client gets UNKNOWN_SERVER_ERROR. */
export interface EnvelopeRefused {
  readonly envelopeError: number;
  readonly response?: undefined;
}

export class RequestForwarder {
  constructor(private readonly options: ForwardOptions) {}

  /** True when this node's controller is not the active one and there are peers to forward to. */
  shouldForward(apiKey: number): boolean {
    return FORWARDED_API_KEYS.has(apiKey) && !FORWARDED_BY_HANDLER.has(apiKey) && this.forwarding();
  }

  /** True when metadata changes go to another node's controller (handlers that forward part of a request). */
  forwarding(): boolean {
    const { quorum } = this.options;
    return quorum.peers !== null && !quorum.isLeader();
  }

  /**
   * Sends `frame` (the client's request header + body) to the active controller in an Envelope and
   * resolves with the response header + body, null when this node should answer itself, or the
   * envelope's error when the controller refused the envelope.
   */
  async forward(
    frame: Buffer,
    clientHost: string,
    principal: KafkaPrincipal | null,
  ): Promise<Buffer | EnvelopeRefused | null> {
    const { quorum, nodeId, timeoutMs, logger, clock } = this.options;
    const deadline = clock.now() + timeoutMs;
    const request = {
      requestData: frame,
      // The client's principal, authorized again by the controller; null: this broker's own request.
      requestPrincipal: principal === null ? null : serializePrincipal(principal.type, principal.name),
      clientHostAddress: hostAddressBytes(clientHost),
    };
    for (;;) {
      const leader = quorum.leaderId();
      if (leader === nodeId && quorum.isLeader()) return null;
      const left = deadline - clock.now();
      if (left <= 0) return null;
      if (leader === nodeId) {
        // Elected, but the controller is not active until it has applied its epoch's LeaderChange
        // entry; answering now would be NOT_CONTROLLER, which kafkajs's createTopics does not retry.
        await this.leaderChangeOrTimeout(Math.min(ACTIVATION_POLL_MS, left));
        continue;
      }
      if (leader < 0 || !quorum.peers?.knows(leader)) {
        await this.leaderChangeOrTimeout(left);
        continue;
      }
      try {
        const response = await quorum.peers.request(leader, EnvelopeApi, 0, request, left);
        if (response.errorCode === ErrorCode.NONE && response.responseData) {
          await this.catchUp(leader, deadline);
          return response.responseData;
        }
        if (response.errorCode !== ErrorCode.NOT_CONTROLLER) {
          logger.warn(
            { leader, errorCode: response.errorCode },
            'the active controller refused the envelope (is the inter-broker principal allowed CLUSTER_ACTION?)',
          );
          return { envelopeError: response.errorCode };
        }
        logger.debug({ leader }, 'envelope answered NOT_CONTROLLER');
      } catch (err) {
        logger.debug({ err, leader }, 'forwarding to the active controller failed');
      }
      // The leader moved or is unreachable: wait for news (or a short pause) and try again.
      await this.leaderChangeOrTimeout(Math.min(100, Math.max(0, deadline - clock.now())));
    }
  }

  /**
   * Sends a request of this broker's own (auto-created topics) to the active controller in an
   * Envelope; resolves with the decoded answer, or null without a reachable leader.
   */
  async send<Req, Res>(api: ApiDefinition<Req, Res>, apiVersion: number, body: Req): Promise<Res | null> {
    const from = { clientId: `forwarder-${this.options.nodeId}`, clientHost: '127.0.0.1', principal: null };
    const answer = await this.sendAs(api, apiVersion, body, from);
    return answer?.response ?? null;
  }

  /**
   * Sends a request a handler built (part of a client's request) to the active controller in an
   * Envelope as if `from` had sent it; resolves with the decoded answer, the envelope's error, or null
   * when this node should answer itself (no reachable leader in time, or this node leads now).
   */
  async sendAs<Req, Res>(
    api: ApiDefinition<Req, Res>,
    apiVersion: number,
    body: Req,
    from: ForwardedFrom,
  ): Promise<{ response: Res } | EnvelopeRefused | null> {
    const correlationId = (this.nextCorrelationId = (this.nextCorrelationId + 1) | 0);
    const w = new Writer();
    writeRequestHeader(w, {
      requestApiKey: api.apiKey,
      requestApiVersion: apiVersion,
      correlationId,
      clientId: from.clientId,
    });
    api.encodeRequest(w, apiVersion, body);
    const answer = await this.forward(w.toBuffer(), from.clientHost, from.principal);
    if (answer === null || !Buffer.isBuffer(answer)) return answer;
    const r = new Reader(answer);
    readResponseHeader(r, api.apiKey, apiVersion);
    return { response: api.decodeResponse(r, apiVersion) };
  }

  private nextCorrelationId = 0;

  /**
   * Read-your-writes: before the answer goes back, wait (bounded) until this node has applied what
   * the leader had committed when it answered, so the client's next Metadata here sees its change
   * (kafkajs asks the same broker for the new topic's leaders right after CreateTopics).
   */
  private async catchUp(leader: number, deadline: number): Promise<void> {
    const { quorum, clock } = this.options;
    const left = Math.min(CATCH_UP_MAX_MS, deadline - clock.now());
    if (left <= 0 || !quorum.peers) return;
    try {
      const r = await quorum.peers.request(
        leader,
        DescribeQuorumApi,
        1,
        { topics: [{ topicName: METADATA_TOPIC, partitions: [{ partitionIndex: METADATA_PARTITION }] }] },
        left,
      );
      const p = r.topics[0]?.partitions[0];
      if (r.errorCode !== ErrorCode.NONE || !p || p.errorCode !== ErrorCode.NONE) return;
      await quorum.waitApplied(Number(p.highWatermark), Math.min(CATCH_UP_MAX_MS, deadline - clock.now()));
    } catch {
      // The answer still goes back; the client retries what it does not see yet.
    }
  }

  private leaderChangeOrTimeout(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const cancel = this.options.quorum.onceLeaderChange(() => {
        timer.cancel();
        resolve();
      });
      const timer = schedulerFor(this.options.clock, undefined, { keepAlive: true }).after(ms, () => {
        cancel();
        resolve();
      });
    });
  }
}
