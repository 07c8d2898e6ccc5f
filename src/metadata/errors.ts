/** The errors of the metadata layer (controller commands and the quorum port). */
import { ErrorCode } from '../../protocol/generated/error-codes.js';

export class NotControllerError extends Error {
  readonly errorCode = ErrorCode.NOT_CONTROLLER;
  constructor(readonly leaderId: number) {
    super(
      leaderId >= 0 ? `this node is not the active controller (leader is ${leaderId})` : 'no active controller yet',
    );
    this.name = 'NotControllerError';
  }
}

/** A topic creation proposed while another creation of the same name is still on its way to commit. */
export class TopicCreationInFlightError extends Error {
  readonly errorCode = ErrorCode.TOPIC_ALREADY_EXISTS;
  constructor(readonly topic: string) {
    super(`Topic '${topic}' already exists.`);
    this.name = 'TopicCreationInFlightError';
  }
}
