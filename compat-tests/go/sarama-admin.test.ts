/**
 * sarama 1.22's ClusterAdmin for config.Version 0.10.2.0, 1.0.0, 2.0.0 and 2.2.0 against a broker
 * with the StandardAuthorizer (allow.everyone.if.no.acl.found, so ACLs can be created and listed):
 * topics, partitions, configs, DeleteRecords, DescribeCluster, ACLs. Then SASL/PLAIN on a
 * SASL_PLAINTEXT listener (SaslHandshake v0 with raw tokens before 1.0, v1 + SaslAuthenticate
 * after), right and wrong passwords. The checks are Go code in sarama-check/admin.go and sasl.go.
 */
import t from 'tap';
import { brokerFor } from '../../test/helpers/broker.js';
import { buildGoChecks, goSkip, requireGo, runChecks } from './go-checks.js';

t.setTimeout(300_000);

const PLAIN_JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret";';

t.test('sarama ClusterAdmin and SASL/PLAIN', { skip: goSkip() }, async (t) => {
  if (!requireGo(t)) return;
  const binaries = await buildGoChecks(t);
  if (!binaries) return;
  const running = await brokerFor(t, {
    config: {
      listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT',
      'listener.name.sasl_plaintext.sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': PLAIN_JAAS,
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'allow.everyone.if.no.acl.found': 'true',
    },
  });
  for (const [version, checks] of [
    ['0.10.2.0', 5],
    ['1.0.0', 23],
    ['2.0.0', 23],
    ['2.2.0', 23],
  ] as const) {
    await runChecks(t, binaries['sarama-check'], ['admin', running.bootstrap, version], checks);
  }
  const sasl = `127.0.0.1:${running.broker.bound.find((b) => b.name === 'SASL_PLAINTEXT')!.port}`;
  for (const version of ['0.10.2.0', '1.0.0', '2.2.0']) {
    await runChecks(t, binaries['sarama-check'], ['sasl', sasl, version, 'alice', 'alice-secret', 'wrong'], 2);
  }
});
