/**
 * Two brokers killed together (kill -9 of brokers 5 and 6 of a split-mode cluster, as a host or a
 * rack going down): the active controller fences both within milliseconds, and every partition ends
 * led by broker 4 with the ISR [4], as Kafka's controller leaves them (it applies each fencing's
 * moves before it computes the next). Gregor computed the second fencing's moves from the image
 * without the first's (not committed yet): an ISR got the other dead broker back (`Isr: 4,5` with
 * broker 5 dead) and a partition broker 5 had led stayed without a leader (`Leader: none`,
 * `Isr: 4,5`) although broker 4 was in its ISR and alive. Checked with kafka-topics.sh --describe.
 */
import t from 'tap';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { kafkaTool } from '../../test/helpers/kafka-tools.js';
import { startKraftCluster } from '../../test/helpers/kraft-properties.js';
import { pollUntil } from '../../test/helpers/poll.js';

const CLUSTER_ID = 'VHdvQnJva2Vyc0ZlbmNlZA';

/** `Leader: n\tReplicas: ...\tIsr: ...` of each partition line of kafka-topics --describe. */
const partitionLines = (stdout: string): string[] =>
  stdout
    .split('\n')
    .filter((line) => line.includes('\tPartition: '))
    .map((line) => /Leader: \S+\tReplicas: \S+\tIsr: \S*/.exec(line)?.[0] ?? line);

t.test('two brokers killed together: the third leads every partition alone', { skip: CLI_SKIP }, async (t) => {
  const cluster = await startKraftCluster(t, {
    layout: 'split',
    brokers: 3,
    clusterId: CLUSTER_ID,
    extra: { 'replica.lag.time.max.ms': '600000' }, // only the controller's fencing shrinks the ISRs here
    name: 'two-fenced',
  });
  const bootstrap = ['--bootstrap-server', cluster.bootstrap[0]!];
  // Every order of the three brokers, so that each of 5 and 6 leads some partitions and follows others.
  const assignment = '5:6:4,6:5:4,5:4:6,6:4:5,4:5:6,4:6:5';
  const created = await kafkaTool('kafka-topics', [
    ...bootstrap,
    '--create',
    '--topic',
    'spread',
    '--replica-assignment',
    assignment,
  ]);
  t.equal(created.code, 0, created.stderr);
  const describe = async (): Promise<string[]> =>
    partitionLines((await kafkaTool('kafka-topics', [...bootstrap, '--describe', '--topic', 'spread'])).stdout);
  await pollUntil('every ISR full', 30_000, async () =>
    (await describe()).every((line) => /Isr: \d,\d,\d$/.test(line)) ? true : null,
  );

  await Promise.all([cluster.nodes[4]!.stop('SIGKILL'), cluster.nodes[5]!.stop('SIGKILL')]);
  const expected = assignment.split(',').map((r) => `Leader: 4\tReplicas: ${r.replace(/:/g, ',')}\tIsr: 4`);
  let last: string[] = [];
  await pollUntil('broker 4 leads every partition with the ISR [4]', 20_000, async () => {
    last = await describe();
    return last.join('\n') === expected.join('\n') ? true : null;
  }).catch(() => undefined);
  t.same(last, expected);
});
