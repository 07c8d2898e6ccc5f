/**
 * README's Kafka quickstart "word for word from bin/kafka" names config/kraft/reconfig-server.properties
 * and config/kraft/server.properties there, as Kafka's quickstart names them in Kafka's directory. The
 * package ships both (bin/kafka/config/kraft/, Kafka 3.9's values): from bin/kafka,
 * `./kafka-server-start.sh config/kraft/<file>` starts a node that librdkafka (kcat) produces to and
 * reads back. Before, neither file was there and the quickstart's second step stopped with "cannot read
 * config file config/kraft/reconfig-server.properties: no such file". The ports and the log dir are this
 * test's own, given as KAFKA_* variables (which win over the file's lines), so nothing of the machine's
 * 9092 or /tmp/kraft-combined-logs is touched.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parseProperties } from '../common/config.js';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { hasCommand, run } from '../../test/helpers/external.js';
import { KAFKA_BIN, TOOL_ENV } from '../../test/helpers/kafka-tools.js';
import { freePort } from '../../test/helpers/ports.js';
import { pollUntil } from '../../test/helpers/poll.js';

for (const file of ['reconfig-server.properties', 'server.properties']) {
  t.test(`from bin/kafka: kafka-server-start.sh config/kraft/${file}`, { skip: CLI_SKIP }, async (t) => {
    t.setTimeout(60_000);
    const shipped = parseProperties(readFileSync(join(KAFKA_BIN, 'config', 'kraft', file), 'utf8'));
    t.equal(shipped.get('log.dirs'), '/tmp/kraft-combined-logs', "Kafka's values");
    t.equal(shipped.get('listeners'), 'PLAINTEXT://:9092,CONTROLLER://:9093');
    const dir = mkdtempSync(join(tmpdir(), 'gregor-quickstart-files-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const [port, controllerPort] = [await freePort(), await freePort()];
    const listeners = `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`;
    const server = spawn('./kafka-server-start.sh', [`config/kraft/${file}`], {
      cwd: KAFKA_BIN,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        ...TOOL_ENV,
        KAFKA_LISTENERS: listeners,
        KAFKA_ADVERTISED_LISTENERS: listeners,
        ...(shipped.has('controller.quorum.voters')
          ? { KAFKA_CONTROLLER_QUORUM_VOTERS: `1@127.0.0.1:${controllerPort}` }
          : { KAFKA_CONTROLLER_QUORUM_BOOTSTRAP_SERVERS: `127.0.0.1:${controllerPort}` }),
        KAFKA_LOG_DIRS: join(dir, 'logs'),
      },
    });
    let output = '';
    server.stdout.on('data', (d: Buffer) => (output += d.toString()));
    server.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
    t.teardown(async () => {
      server.kill('SIGTERM');
      await exited;
    });
    await Promise.race([
      pollUntil('the server started', 30_000, () => (output.includes('Kafka Server started') ? true : null)),
      exited.then((code) => Promise.reject(new Error(`kafka-server-start.sh exited ${code}: ${output}`))),
    ]);
    if (!hasCommand('kcat')) return;
    const b = `127.0.0.1:${port}`;
    const produced = await run('kcat', ['-b', b, '-P', '-t', 'quickstart-events', '-X', 'acks=all'], {
      input: 'This is my first event\nThis is my second event\n',
    });
    t.equal(produced.code, 0, produced.stderr);
    const consumed = await run('kcat', ['-b', b, '-C', '-t', 'quickstart-events', '-e', '-q', '-f', '%s\n']);
    t.equal(consumed.stdout, 'This is my first event\nThis is my second event\n');
  });
}
