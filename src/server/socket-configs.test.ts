/**
 * The socket settings of Kafka's own config/kraft/server.properties: `socket.listen.backlog.size` is the
 * listeners' listen(2) backlog (seen with `ss`: a listening socket's Send-Q is its backlog) and is
 * range-checked; `socket.send.buffer.bytes` / `socket.receive.buffer.bytes` are known (accepted with no
 * effect, as the thread counts), so the quickstart file no longer warns that they are unknown. kcat
 * produces and reads back through the listener.
 */
import t from 'tap';
import { BrokerConfig, parseProperties } from '../common/config.js';
import { validateBrokerConfig } from '../common/config-validate.js';
import { startBroker } from '../index.js';
import { hasCommand, run } from '../../test/helpers/external.js';

const QUICKSTART = `
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@localhost:9093
listeners=PLAINTEXT://:9092,CONTROLLER://:9093
inter.broker.listener.name=PLAINTEXT
advertised.listeners=PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL
num.network.threads=3
num.io.threads=8
socket.send.buffer.bytes=102400
socket.receive.buffer.bytes=102400
socket.request.max.bytes=104857600
log.dirs=/tmp/kraft-combined-logs
num.partitions=1
num.recovery.threads.per.data.dir=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
log.retention.hours=168
log.segment.bytes=1073741824
log.retention.check.interval.ms=300000
`;

t.test("Kafka's quickstart server.properties has no unknown socket settings", async (t) => {
  const unknown = validateBrokerConfig(new BrokerConfig(parseProperties(QUICKSTART)));
  t.same(unknown, []);
  t.throws(() => validateBrokerConfig(new BrokerConfig({ 'socket.listen.backlog.size': 0 })), {
    message: /invalid value for socket.listen.backlog.size: "0"/,
  });
  t.throws(() => validateBrokerConfig(new BrokerConfig({ 'socket.send.buffer.bytes': 'big' })), {
    message: /invalid value for socket.send.buffer.bytes/,
  });
});

const skip = !hasCommand('ss') ? 'ss is not installed' : !hasCommand('kcat') ? 'kcat is not installed' : false;

t.test('socket.listen.backlog.size is the listening socket backlog', { skip }, async (t) => {
  t.setTimeout(60_000);
  const broker = await startBroker({ storage: 'memory', config: { 'socket.listen.backlog.size': 37 } });
  t.teardown(() => broker.stop());
  const port = broker.bootstrap.split(':')[1]!;
  const ss = await run('ss', ['-ltnH', `sport = :${port}`]);
  t.equal(ss.code, 0, ss.stderr);
  const [state, , sendQ] = ss.stdout.trim().split(/\s+/);
  t.equal(state, 'LISTEN');
  t.equal(sendQ, '37', `ss: ${ss.stdout.trim()}`);
  const produced = await run('kcat', ['-b', broker.bootstrap, '-P', '-t', 'backlog'], { input: 'a\nb\n' });
  t.equal(produced.code, 0, produced.stderr);
  const consumed = await run('kcat', ['-b', broker.bootstrap, '-C', '-t', 'backlog', '-e', '-f', '%s\n']);
  t.equal(consumed.stdout, 'a\nb\n');
});
