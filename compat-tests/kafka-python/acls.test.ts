/**
 * kafka-python's KafkaAdminClient ACL calls against Gregor with no authorizer: each gets
 * SECURITY_DISABLED (SecurityDisabledError), as from Kafka 3.9 without authorizer.class.name,
 * and the connection stays usable (before, the broker closed it). Skips when kafka-python is
 * not installed.
 */
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { brokerFor } from '../../test/helpers/broker.js';
import { DEBIAN_PYTHON, hasPythonModule, run } from '../../test/helpers/external.js';

const script = fileURLToPath(new URL('./acls_admin.py', import.meta.url));
const available = hasPythonModule('kafka');

t.test(
  'kafka-python create/describe/delete ACLs: SecurityDisabledError, connection kept',
  { skip: available ? false : 'python3-kafka is not installed' },
  async (t) => {
    const running = await brokerFor(t);
    const result = await run(DEBIAN_PYTHON, [script, running.bootstrap], { timeoutMs: 60_000 });
    t.equal(result.code, 0, result.stderr.slice(-2000));
    const out = JSON.parse(result.stdout) as {
      create_succeeded: number;
      create_failed: string[];
      describe: string;
      delete: string[];
      topics_after: boolean;
    };
    t.equal(out.create_succeeded, 0);
    t.same(out.create_failed, ['SecurityDisabledError']);
    t.equal(out.describe, 'SecurityDisabledError');
    t.same(out.delete, ['SecurityDisabledError']);
    t.equal(out.topics_after, true, 'the admin connection still works');
  },
);
