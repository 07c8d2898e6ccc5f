/**
 * SCRAM users at first start (`bootstrap.scram.credentials`, Kafka's `kafka-storage format
 * --add-scram`): the setting's syntax and refusals; kcat authenticates as a bootstrapped user right
 * after the first start; a password changed later with AlterUserScramCredentials survives a
 * restart with the same setting (the setting is written once, never again).
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startBroker, type RunningBroker } from '../../index.js';
import { rawClient } from '../../../test/helpers/raw-client.js';
import { hasCommand, run } from '../../../test/helpers/external.js';
import { AlterUserScramCredentialsApi } from '../../../protocol/generated/messages/51-alter-user-scram-credentials.js';
import { bootstrapScramRecords } from './scram-bootstrap.js';
import { saltedPassword } from './scram.js';

t.test('the setting reads like kafka-storage format --add-scram', async (t) => {
  const records = bootstrapScramRecords(
    'SCRAM-SHA-256=[name=alice,password=alice-secret]; SCRAM-SHA-512=[name=bob,password="b c",iterations=8192]',
  );
  t.same(
    records.map((r) =>
      r.type === 'UserScramCredentialRecord' ? [r.data.name, r.data.mechanism, r.data.iterations] : [],
    ),
    [
      ['alice', 1, 4096],
      ['bob', 2, 8192],
    ],
  );
  t.same(bootstrapScramRecords(''), []);
  t.same(bootstrapScramRecords(null), []);
  const refused: Array<[string, RegExp]> = [
    ['SCRAM-SHA-1=[name=a,password=b]', /SCRAM-SHA-1 is not a SCRAM mechanism/],
    ['SCRAM-SHA-256=[name=a]', /needs name= and password=/],
    ['SCRAM-SHA-256=[name=a,password=b,iterations=10]', /iterations of a must be 4096..16384/],
    ['SCRAM-SHA-256=[name=a,password=b,salt=abc]', /salt is not supported/],
    ['SCRAM-SHA-256=[name=a,password=b];SCRAM-SHA-256=[name=a,password=c]', /a is given twice/],
    ['alice:secret', /expected MECHANISM=\[name=...,password=...\] entries/],
  ];
  for (const [value, message] of refused) {
    t.throws(
      () => bootstrapScramRecords(value),
      { name: 'ConfigError', message: /bootstrap.scram.credentials/ },
      value,
    );
    t.throws(() => bootstrapScramRecords(value), { message }, value);
  }
});

const kcat = hasCommand('kcat');

t.test(
  'a bootstrapped user authenticates right after the first start; a later change is kept',
  { skip: kcat ? false : 'kcat is not installed' },
  async (t) => {
    t.setTimeout(120_000);
    const dataDir = mkdtempSync(join(tmpdir(), 'gregor-scram-bootstrap-'));
    let running: RunningBroker | null = null;
    t.teardown(async () => {
      await running?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const config = {
      listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0',
      // A listener named SASL_PLAINTEXT: Kafka adds no CONTROLLER:PLAINTEXT by itself then.
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT',
      'listener.name.sasl_plaintext.sasl.enabled.mechanisms': 'SCRAM-SHA-256,SCRAM-SHA-512',
      'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config':
        'org.apache.kafka.common.security.scram.ScramLoginModule required;',
      'listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config':
        'org.apache.kafka.common.security.scram.ScramLoginModule required;',
      'bootstrap.scram.credentials':
        'SCRAM-SHA-256=[name=alice,password=alice-secret];SCRAM-SHA-512=[name=bob,password=bob-secret]',
    };
    const start = async (): Promise<number> => {
      running = await startBroker({ dataDir, config });
      return running.broker.bound.find((l) => l.name === 'SASL_PLAINTEXT')!.port;
    };
    const list = (port: number, mechanism: string, user: string, password: string) =>
      run(
        'kcat',
        [
          '-b',
          `127.0.0.1:${port}`,
          '-X',
          'security.protocol=SASL_PLAINTEXT',
          '-X',
          `sasl.mechanisms=${mechanism}`,
          '-X',
          `sasl.username=${user}`,
          '-X',
          `sasl.password=${password}`,
          '-L',
          '-m',
          '10',
        ],
        { timeoutMs: 30_000 },
      );
    let port = await start();
    const alice = await list(port, 'SCRAM-SHA-256', 'alice', 'alice-secret');
    t.equal(alice.code, 0, `alice logs in at once: ${alice.stderr}`);
    const bob = await list(port, 'SCRAM-SHA-512', 'bob', 'bob-secret');
    t.equal(bob.code, 0, `bob too: ${bob.stderr}`);

    const salt = randomBytes(16);
    const c = await rawClient(running!.port);
    const altered = await c.call(AlterUserScramCredentialsApi, 0, {
      deletions: [],
      upsertions: [
        {
          name: 'alice',
          mechanism: 1,
          iterations: 4096,
          salt,
          saltedPassword: saltedPassword('SCRAM-SHA-256', 'changed', salt, 4096),
        },
      ],
    });
    c.close();
    t.equal(altered.results[0]?.errorCode, 0, 'alice changes her password');
    await running!.stop();
    running = null;

    port = await start();
    const old = await list(port, 'SCRAM-SHA-256', 'alice', 'alice-secret');
    t.not(old.code, 0, 'after a restart the bootstrap password is not written again');
    const changed = await list(port, 'SCRAM-SHA-256', 'alice', 'changed');
    t.equal(changed.code, 0, `the changed password holds: ${changed.stderr}`);
  },
);
