/**
 * Envelope authorization with raw frames on a controller listener, as Kafka's ControllerApis: the
 * forwarding broker's own principal (here User:ANONYMOUS on a PLAINTEXT controller listener) needs
 * CLUSTER_ACTION on the cluster, else CLUSTER_AUTHORIZATION_FAILED before anything else; the inner
 * request runs as the forwarded principal, so a super-user broker cannot lend its rights to a
 * client it forwards for.
 */
import t, { type Test } from 'tap';
import { startBroker, type RunningBroker } from '../index.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { readResponseHeader, writeRequestHeader } from '../../protocol/frame.js';
import { Reader, Writer } from '../../protocol/primitives/index.js';
import { EnvelopeApi, type EnvelopeRequest } from '../../protocol/generated/messages/58-envelope.js';
import {
  CreateTopicsApi,
  defaultCreateTopicsRequest,
  defaultCreateTopicsRequestCreatableTopic,
} from '../../protocol/generated/messages/19-create-topics.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { serializePrincipal } from '../controller/forwarding.js';
import { STANDARD_AUTHORIZER_CLASS } from '../metadata/standard-authorizer.js';

function envelopeFor(principal: string, topic: string): EnvelopeRequest {
  const w = new Writer();
  writeRequestHeader(w, {
    requestApiKey: CreateTopicsApi.apiKey,
    requestApiVersion: 7,
    correlationId: 5,
    clientId: 'c',
  });
  CreateTopicsApi.encodeRequest(w, 7, {
    ...defaultCreateTopicsRequest(),
    topics: [{ ...defaultCreateTopicsRequestCreatableTopic(), name: topic, numPartitions: 1, replicationFactor: 1 }],
    timeoutMs: 5000,
  });
  return {
    requestData: w.toBuffer(),
    requestPrincipal: serializePrincipal('User', principal),
    clientHostAddress: Buffer.from([127, 0, 0, 1]),
  };
}

async function withBroker(t: Test, superUsers: string): Promise<{ running: RunningBroker; controllerPort: number }> {
  const running = await startBroker({
    config: {
      listeners: 'PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0',
      'authorizer.class.name': STANDARD_AUTHORIZER_CLASS,
      'super.users': superUsers,
    },
  });
  t.teardown(() => running.stop());
  const controllerPort = running.broker.bound.find((l) => l.name === 'CONTROLLER')!.port;
  return { running, controllerPort };
}

t.test('the forwarding principal needs CLUSTER_ACTION on the cluster', async (t) => {
  const { controllerPort } = await withBroker(t, 'User:admin');
  const c = await rawClient(controllerPort);
  t.teardown(() => c.close());
  const answer = await c.call(EnvelopeApi, 0, envelopeFor('admin', 'from-anonymous'));
  t.equal(answer.errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'User:ANONYMOUS may not forward');
  t.equal(answer.responseData, null, 'the inner request was not run');
});

t.test('the inner request is authorized as the forwarded principal', async (t) => {
  const { running, controllerPort } = await withBroker(t, 'User:ANONYMOUS;User:admin');
  const c = await rawClient(controllerPort);
  t.teardown(() => c.close());
  const innerCode = async (principal: string, topic: string): Promise<number> => {
    const answer = await c.call(EnvelopeApi, 0, envelopeFor(principal, topic));
    t.equal(answer.errorCode, ErrorCode.NONE, `the envelope itself is accepted (for ${principal})`);
    const r = new Reader(answer.responseData!);
    readResponseHeader(r, CreateTopicsApi.apiKey, 7);
    return CreateTopicsApi.decodeResponse(r, 7).topics[0]!.errorCode;
  };
  t.equal(
    await innerCode('mallory', 'mallory-topic'),
    ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    'a client without CREATE is refused although the forwarding broker is a super user',
  );
  t.notOk(running.broker.controller.image.topicsByName.has('mallory-topic'));
  t.equal(await innerCode('admin', 'admin-topic'), ErrorCode.NONE, 'a super user client creates it');
});
