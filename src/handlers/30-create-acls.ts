/**
 * CreateAcls (key 30), versions 0-3 (v0: literal patterns). With `authorizer.class.name` set,
 * each creation is checked as Kafka's controller checks it (INVALID_REQUEST with its message:
 * pattern type LITERAL or PREFIXED, a concrete operation and permission, a non-empty name,
 * `kafka-cluster` for the cluster, a `Type:name` principal) and written to the metadata log as
 * an AccessControlEntryRecord; an ACL that exists already is accepted without a second record.
 * Needs ALTER on the cluster (authorizer/api-rules.ts). Forwarded to the active controller, as
 * Kafka forwards it. Without an authorizer, as Kafka 3.9: SECURITY_DISABLED with "No Authorizer
 * is configured.", nothing stored.
 * Leaves out: nothing of the API.
 */
import { randomBytes } from '../../storage/os-random.js';
import { CreateAclsApi } from '../../protocol/generated/messages/30-create-acls.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { randomUuid } from '../../protocol/primitives/uuid.js';
import { defineHandler } from './handler.js';
import { NO_AUTHORIZER_MESSAGE } from './29-describe-acls.js';
import { planAclCreations } from '../metadata/acl-changes.js';

export const createAclsHandler = defineHandler({
  api: CreateAclsApi,
  async handle(ctx, request) {
    if (ctx.broker.authorizer === undefined)
      return {
        throttleTimeMs: 0,
        results: request.creations.map(() => ({
          errorCode: ErrorCode.SECURITY_DISABLED,
          errorMessage: NO_AUTHORIZER_MESSAGE,
        })),
      };
    const { controller } = ctx.broker;
    const creations = request.creations.map((c) => ({ ...c, patternType: c.resourcePatternType }));
    const { results, records } = planAclCreations(controller.image.acls, creations, () => randomUuid(randomBytes));
    const errorCode = await controller.commitAndWait(records);
    if (errorCode !== ErrorCode.NONE)
      return {
        throttleTimeMs: 0,
        results: results.map((r) => (r.errorCode === ErrorCode.NONE ? { errorCode, errorMessage: null } : r)),
      };
    return { throttleTimeMs: 0, results };
  },
});
