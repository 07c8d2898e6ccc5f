/**
 * SASL for the node-to-node connections (Raft, registration and heartbeats, forwarding, replica
 * fetchers, transaction markers): the authentication step a SocketTransport runs on each new
 * connection to an SASL_PLAINTEXT or SASL_SSL listener, with the node's own credentials (the
 * username/password of its JAAS config, as Kafka's inter-broker login). SaslHandshake v1, then
 * SaslAuthenticate v2 tokens for PLAIN or SCRAM-SHA-256/512 (sasl-client.ts does the mechanics).
 * A refusal rejects with the broker's error name and message. Left out: re-authentication
 * (KIP-368): a node whose session expires is disconnected by the peer and reconnects.
 */
import type { ApiDefinition } from '../../protocol/generated/api-definition.js';
import { encodeFrame, readResponseHeader, writeRequestHeader } from '../../protocol/frame.js';
import { Reader } from '../../protocol/primitives/index.js';
import { SaslHandshakeApi } from '../../protocol/generated/messages/17-sasl-handshake.js';
import {
  SaslAuthenticateApi,
  defaultSaslAuthenticateRequest,
} from '../../protocol/generated/messages/36-sasl-authenticate.js';
import type { HandshakeLink } from '../common/transport.js';
import { authenticateSasl } from './sasl-client.js';
import type { PasswordSasl } from './security.js';

const HANDSHAKE_VERSION = 1;
const AUTHENTICATE_VERSION = 2;

async function exchange<Req, Res>(
  link: HandshakeLink,
  api: ApiDefinition<Req, Res>,
  version: number,
  correlationId: number,
  clientId: string,
  body: Req,
): Promise<Res> {
  const frame = encodeFrame((w) => {
    writeRequestHeader(w, { requestApiKey: api.apiKey, requestApiVersion: version, correlationId, clientId });
    api.encodeRequest(w, version, body);
  });
  const answer = await link.exchange(frame);
  const r = new Reader(answer);
  const header = readResponseHeader(r, api.apiKey, version);
  if (header.correlationId !== correlationId)
    throw new Error(`${link.address} answered correlation id ${header.correlationId}, not ${correlationId}`);
  return api.decodeResponse(r, version);
}

/** The authentication step of a SocketTransport: logs in as `sasl.username` with `sasl.mechanism`. */
export function peerSaslAuthentication(sasl: PasswordSasl, clientId: string): (link: HandshakeLink) => Promise<void> {
  return async (link) => {
    let correlationId = 0;
    await authenticateSasl(
      {
        address: link.address,
        handshake: (mechanism) =>
          exchange(link, SaslHandshakeApi, HANDSHAKE_VERSION, ++correlationId, clientId, { mechanism }),
        authenticate: (authBytes) =>
          exchange(link, SaslAuthenticateApi, AUTHENTICATE_VERSION, ++correlationId, clientId, {
            ...defaultSaslAuthenticateRequest(),
            authBytes,
          }),
      },
      sasl,
    );
  };
}
