/**
 * The errors a confluent-kafka (librdkafka, Debian's python3-confluent-kafka) user meets with
 * transactions, as Kafka 3.9 gives them (txn_errors.py): transaction.timeout.ms above the broker's
 * transaction.max.timeout.ms fails init_transactions with a fatal INVALID_TRANSACTION_TIMEOUT; a
 * second instance with the same transactional.id fences the first, whose commit then fails fatally
 * (_FENCED: the coordinator's PRODUCER_FENCED); a transaction past transaction.timeout.ms is aborted
 * by the coordinator with a bumped epoch (kafka-transactions describe: CompleteAbort, epoch 1) and
 * the producer's commit fails the same fatal way. Skipped when python3 or confluent_kafka is absent.
 */
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { brokerFor } from '../../test/helpers/broker.js';
import { createTopic } from '../../test/helpers/topics.js';
import { kafkaTool } from '../../test/helpers/kafka-tools.js';
import { pollUntil } from '../../test/helpers/poll.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./txn_errors.py', import.meta.url));
const available = spawnSync(PYTHON, ['-c', 'import confluent_kafka'], { stdio: 'ignore' }).status === 0;

interface Step {
  step: string;
  ok?: boolean;
  name?: string;
  fatal?: boolean;
  abortable?: boolean;
  text?: string;
}

/** Runs txn_errors.py; `onWaiting` runs when it prints its "waiting" step, then it gets a line on stdin. */
function python(bootstrap: string, scenario: string, onWaiting?: () => Promise<void>): Promise<Step[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [SCRIPT, bootstrap, scenario], { stdio: ['pipe', 'pipe', 'pipe'] });
    const killer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    const steps: Step[] = [];
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const step = JSON.parse(line) as Step;
      steps.push(step);
      if (step.step === 'waiting')
        (onWaiting ?? (() => Promise.resolve()))().then(
          () => child.stdin.write('\n'),
          (error: unknown) => {
            child.kill('SIGKILL');
            reject(error instanceof Error ? error : new Error(String(error)));
          },
        );
    });
    child.on('close', (code) => {
      clearTimeout(killer);
      if (code === 0) resolve(steps);
      else reject(new Error(`txn_errors.py ${scenario} exited ${String(code)}\n${stderr}`));
    });
  });
}

t.test(
  'confluent-kafka transactional errors: timeout above the maximum, fencing, coordinator timeout',
  { skip: available ? false : 'python3-confluent-kafka not installed' },
  async (t) => {
    t.setTimeout(180_000);
    const running = await brokerFor(t, {
      config: {
        'transaction.max.timeout.ms': 60_000,
        'transaction.abort.timed.out.transaction.cleanup.interval.ms': 200,
      },
    });
    createTopic(running, 'errors', { partitions: 1 });

    const [init] = await python(running.bootstrap, 'max-timeout');
    t.match(init, { step: 'init', ok: false, name: 'INVALID_TRANSACTION_TIMEOUT', fatal: true });

    const fenced = await python(running.bootstrap, 'fenced');
    t.match(fenced, [
      { step: 'new-init', ok: true },
      { step: 'old-commit', ok: false, name: '_FENCED', fatal: true },
    ]);

    const describe = (): Promise<string[] | null> =>
      kafkaTool('kafka-transactions', [
        '--bootstrap-server',
        running.bootstrap,
        'describe',
        '--transactional-id',
        'errors-timed-out',
      ]).then((r) => {
        const row = r.stdout
          .split('\n')[1]
          ?.split('\t')
          .map((c) => c.trim());
        return row !== undefined && row[4] === 'CompleteAbort' ? row : null;
      });
    let aborted: string[] | null = null;
    const timedOut = await python(running.bootstrap, 'timed-out', async () => {
      aborted = await pollUntil('the coordinator to abort the timed-out transaction', 30_000, describe, 250);
    });
    t.match(aborted, ['1', 'errors-timed-out', /^\d+$/, '1', 'CompleteAbort', '3000'], 'aborted with a bumped epoch');
    t.match(timedOut, [{ step: 'waiting' }, { step: 'commit', ok: false, name: '_FENCED', fatal: true }]);
  },
);
