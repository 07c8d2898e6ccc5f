/**
 * The node's one way out: numbers outbound requests (a response is matched to its request by this id)
 * and pushes requests and responses to the injected Outbox.
 * Leaves out: transport and retries (the driver's and the collaborators' business).
 */
import type { Outbox, RaftRequest, RaftResponse } from './messages.js';

export class RaftMessenger {
  private requestCounter = 0;

  constructor(private readonly outbox: Outbox) {}

  /** Sends a request and returns its id. */
  request(destination: number, request: RaftRequest): number {
    const requestId = ++this.requestCounter;
    this.outbox.send({ kind: 'request', destination, requestId, request });
    return requestId;
  }

  respond(destination: number, requestId: number, response: RaftResponse): void {
    this.outbox.send({ kind: 'response', destination, requestId, response });
  }
}
