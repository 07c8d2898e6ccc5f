/**
 * Listener names are what comes before `://`, as Kafka 3.9's SocketServerConfigs.listenerListToEndPoints
 * reads them (`^(.*)://...`): Testcontainers' Java KafkaContainer.withListener() names its extra
 * listeners TC-0, TC-1, ... (KafkaHelper.resolveListeners). kafkajs produces and reads metadata through
 * a listener named TC-0, which advertises its own address.
 */
import t from 'tap';
import kafkajs from 'kafkajs';
import { brokerFor } from '../../test/helpers/broker.js';
import { freePort } from '../../test/helpers/ports.js';

const { Kafka, logLevel } = kafkajs;

t.test('a listener named TC-0 serves kafkajs', async (t) => {
  const [plain, extra, controller] = [await freePort(), await freePort(), await freePort()];
  await brokerFor(t, {
    config: {
      'process.roles': 'broker,controller',
      'node.id': 1,
      listeners: `PLAINTEXT://127.0.0.1:${plain},TC-0://127.0.0.1:${extra},CONTROLLER://127.0.0.1:${controller}`,
      'advertised.listeners': `PLAINTEXT://127.0.0.1:${plain},TC-0://localhost:${extra}`,
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,TC-0:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'controller.listener.names': 'CONTROLLER',
      'controller.quorum.voters': `1@127.0.0.1:${controller}`,
    },
  });
  const kafka = new Kafka({ brokers: [`127.0.0.1:${extra}`], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const cluster = await admin.describeCluster();
  await admin.disconnect();
  t.same(
    cluster.brokers.map((b) => `${b.host}:${b.port}`),
    [`localhost:${extra}`],
    'Metadata on TC-0 gives its advertised address',
  );
  const producer = kafka.producer();
  await producer.connect();
  const [sent] = await producer.send({ topic: 'tc-0-topic', messages: [{ value: 'through TC-0' }] });
  await producer.disconnect();
  t.equal(sent?.errorCode, 0, 'produced through TC-0');
});
