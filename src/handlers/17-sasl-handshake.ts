/**
 * SaslHandshake (key 17), versions 0-1, once a connection is past authentication (or on a
 * listener without SASL): ILLEGAL_SASL_STATE, as Kafka answers. On SASL listeners the
 * handshake itself is served before authentication by server/sasl/authenticator.ts.
 * Left out: re-authentication (KIP-368).
 */
import { SaslHandshakeApi } from '../../protocol/generated/messages/17-sasl-handshake.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defineHandler } from './handler.js';

export const saslHandshakeHandler = defineHandler({
  api: SaslHandshakeApi,
  handle() {
    return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] };
  },
});
