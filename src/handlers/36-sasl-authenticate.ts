/**
 * SaslAuthenticate (key 36), versions 0-2, once a connection is past authentication (or on
 * a listener without SASL): ILLEGAL_SASL_STATE, as Kafka answers. On SASL listeners the
 * exchange itself is served before authentication by server/sasl/authenticator.ts.
 * Left out: re-authentication (KIP-368).
 */
import { SaslAuthenticateApi } from '../../protocol/generated/messages/36-sasl-authenticate.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defineHandler } from './handler.js';

export const saslAuthenticateHandler = defineHandler({
  api: SaslAuthenticateApi,
  handle() {
    return {
      errorCode: ErrorCode.ILLEGAL_SASL_STATE,
      errorMessage: 'SaslAuthenticate request received after successful authentication',
      authBytes: Buffer.alloc(0),
      sessionLifetimeMs: 0n,
    };
  },
});
