/**
 * Tests of the kafkajs-suite runner's own logic, runnable without the suite: jest JSON parsing,
 * RESULTS.md rendering, the allowlist pattern, the patches on synthetic text, the cluster table
 * and the broker-helper classification. The suite itself is not fetched or run here.
 */
import t from 'tap';
import { AllowlistError, entryFor, parseAllowlist, skipPattern } from './allowlist.js';
import { brokerConfigs, describeCluster } from './cluster.js';
import { buildJestArgs, readRunSummary, unfinishedRunReason } from './jest-args.js';
import { JestJsonError, parseJestJson } from './jest-json.js';
import { PatchError, patchAddPartitions, shiftHelperPorts, shiftSpecPorts } from './patches.js';
import { closingLine, directoryOf, firstLine, renderResults, summarize } from './report.js';
import { brokerMethod, classifyFailure, proposeEntries, renderTriage, triage } from './triage.js';
import { needsBroker } from './unit-files.js';

const ROOT = '/scratch/kafkajs';

const JEST_JSON = JSON.stringify({
  startTime: 1_700_000_000_000,
  testResults: [
    {
      name: `${ROOT}/src/broker/__tests__/connect.spec.js`,
      status: 'failed',
      message: 'ignored: repeated per test',
      startTime: 1000,
      endTime: 3500,
      assertionResults: [
        {
          ancestorTitles: ['Broker > connect'],
          title: 'plain',
          fullName: 'Broker > connect plain',
          status: 'passed',
          duration: 12,
          failureMessages: [],
        },
        {
          ancestorTitles: ['Broker > connect'],
          title: 'fails',
          fullName: 'Broker > connect fails',
          status: 'failed',
          failureMessages: ['\u001b[31mKafkaJSConnectionError: Connection | refused\u001b[39m\n    at x.js:1'],
        },
        {
          ancestorTitles: ['Broker > connect', 'SSL'],
          title: 'ssl',
          fullName: 'Broker > connect SSL ssl',
          status: 'pending',
          failureMessages: [],
        },
        {
          ancestorTitles: ['Broker > connect'],
          title: 'gated',
          fullName: 'Broker > connect gated',
          status: 'pending',
          failureMessages: [],
        },
      ],
    },
    {
      name: `${ROOT}/src/utils/lock.spec.js`,
      status: 'failed',
      message: 'Test suite failed to run\n\nCannot find module x',
      startTime: 0,
      endTime: 10,
      assertionResults: [],
    },
    {
      name: `${ROOT}/src/utils/once.spec.js`,
      status: 'passed',
      startTime: 0,
      endTime: 10,
      assertionResults: [{ ancestorTitles: ['Utils > once'], title: 'once', status: 'passed', failureMessages: [] }],
    },
  ],
});

const ALLOWLIST = parseAllowlist(
  JSON.stringify({
    entries: [{ file: 'src/broker/__tests__/connect.spec.js', describe: 'Broker > connect SSL', cause: 'needs-ssl' }],
  }),
);

t.test('parses jest --json into per-file and per-test outcomes', async (t) => {
  const run = parseJestJson(JEST_JSON, ROOT);
  t.same(
    run.files.map((f) => f.file),
    ['src/broker/__tests__/connect.spec.js', 'src/utils/lock.spec.js', 'src/utils/once.spec.js'],
  );
  const connect = run.files[0]!;
  t.equal(connect.status, 'failed');
  t.equal(connect.message, '', 'the file message is dropped when a test carries the failure');
  t.equal(connect.durationMs, 2500);
  t.same(
    connect.tests.map((x) => x.status),
    ['passed', 'failed', 'skipped', 'skipped'],
  );
  t.equal(
    connect.tests[1]!.failure.startsWith('KafkaJSConnectionError: Connection | refused'),
    true,
    'ANSI colours removed',
  );
  t.match(run.files[1]!.message, /Test suite failed to run/);
  t.equal(run.files[2]!.tests[0]!.fullName, 'Utils > once once', 'full name built from titles when absent');
  t.throws(() => parseJestJson('{', ROOT), JestJsonError);
  t.throws(() => parseJestJson('{"testResults": 3}', ROOT), JestJsonError);
  t.throws(() => parseJestJson('{"testResults": [{"status": "passed"}]}', ROOT), JestJsonError);
});

t.test('summarizes per directory and tells left-out tests from the suite own skips', async (t) => {
  const summary = summarize(
    parseJestJson(JEST_JSON, ROOT),
    ALLOWLIST,
    new Set(['src/broker/__tests__/connect.spec.js']),
  );
  t.same(summary.total, { files: 3, tests: 5, passed: 2, failed: 2, skipped: 1, leftOut: 1 });
  t.same(summary.broker, { files: 1, tests: 4, passed: 1, failed: 1, skipped: 1, leftOut: 1 });
  t.same(
    summary.byDirectory.map((d) => d.directory),
    ['src/broker', 'src/utils'],
  );
  t.equal(summary.byDirectory[1]!.counts.failed, 1, 'a file that fails to load counts as one failure');
  t.equal(closingLine(summary.total), '2 passed, 2 failed, 2 skipped');

  const md = renderResults(summary, {
    date: 'D',
    kafkajsCommit: 'K',
    gregorCommit: 'G',
    cluster: 'C',
    command: 'npm run compat:kafkajs',
  });
  t.match(md, /- kafkajs commit: `K`/);
  t.match(md, /- Gregor commit: `G`/);
  t.match(md, /\*\*2 passed, 2 failed, 1 skipped, 1 left out\*\*/);
  t.match(md, /\| src\/broker \| 1 \| 4 \| 1 \| 1 \| 1 \| 1 \|/);
  t.match(md, /- `Broker > connect fails`: KafkaJSConnectionError: Connection \\\| refused/);
  t.match(md, /- \(file\) Test suite failed to run/);
  t.match(md, /- – Broker > connect SSL ssl \(needs-ssl\)/);
});

t.test('allowlist: validation, jest name pattern, lookup', async (t) => {
  t.throws(() => parseAllowlist('[]'), AllowlistError);
  t.throws(
    () => parseAllowlist('{"entries":[{"file":"a","cause":"needs-ssl"}]}'),
    AllowlistError,
    'needs test or describe',
  );
  t.throws(
    () => parseAllowlist('{"entries":[{"file":"a","test":"x","cause":"because"}]}'),
    AllowlistError,
    'unknown cause',
  );
  t.equal(skipPattern([]), undefined);
  const entries = parseAllowlist(
    JSON.stringify({
      entries: [
        { file: 'a.spec.js', test: 'A > b (1+1)', cause: 'gregor-bug' },
        { file: 'a.spec.js', describe: 'A > SSL', cause: 'needs-ssl' },
      ],
    }),
  );
  const pattern = new RegExp(skipPattern(entries)!, 'i'); // jest compiles -t with the i flag
  t.equal(pattern.test('A > b (1+1)'), false, 'exact test left out');
  t.equal(pattern.test('A > b (1+1) more'), true, 'a longer name still runs');
  t.equal(pattern.test('A > SSL connects'), false, 'describe prefix left out');
  t.equal(pattern.test('A > SSLv3 connects'), true, 'prefix must end at a word');
  t.equal(pattern.test('A > plain'), true);
  t.equal(entryFor(entries, 'a.spec.js', 'a > ssl connects')?.cause, 'needs-ssl');
  t.equal(entryFor(entries, 'b.spec.js', 'A > SSL connects'), undefined, 'entries are per file');
});

const HELPERS = `const plainTextBrokers = (host = getHost()) => [\`\${host}:9092\`, \`\${host}:9095\`, \`\${host}:9098\`]
const connectionOpts = () => ({ port: 9092 })
const addPartitions = async ({ topic, partitions }) => {
  execa.commandSync(cmd, { shell: true })
}

const testIfKafkaVersion = (version, versionComparator) => {}
`;

t.test('patches: addPartitions through the admin API, port offset', async (t) => {
  const patched = patchAddPartitions(HELPERS);
  t.notMatch(patched, /execa/);
  t.match(patched, /admin\.createPartitions\(\{ topicPartitions: \[\{ topic, count: partitions \}\] \}\)/);
  t.match(patched, /const testIfKafkaVersion = /, 'the rest is kept');
  t.throws(() => patchAddPartitions('nothing here'), PatchError);
  const shifted = shiftHelperPorts(patched, 1000);
  t.match(shifted, /\$\{host\}:10092`, `\$\{host\}:10095`/);
  t.match(shifted, /port: 10092/);
  t.match(shifted, /getHost\(\)\}:10092/, 'the patched admin bootstrap shifts too');
  t.equal(shiftSpecPorts('port: 9094,\nbroker: "localhost:9092"', 10), 'port: 9104,\nbroker: "localhost:9092"');
});

t.test('cluster table: PLAINTEXT, SSL and SASL_SSL as the compose file lays them out', async (t) => {
  const [one, ...none] = brokerConfigs({ brokers: 1, ssl: false, sasl: false }, { portOffset: 0 });
  t.same(none, []);
  t.equal(one!['node.id'], 0);
  t.equal(one!.listeners, 'PLAINTEXT://127.0.0.1:9092');
  t.equal(one!['advertised.listeners'], 'PLAINTEXT://localhost:9092');
  t.equal(one!['num.partitions'], 2);
  t.equal(one!['auto.create.topics.enable'], true);
  t.equal(one!['group.initial.rebalance.delay.ms'], 0);
  t.equal(one!['default.replication.factor'], 1);
  const three = brokerConfigs({ brokers: 3, ssl: true, sasl: true }, { portOffset: 100, tls: { keystore: 'ks.pem' } });
  t.equal(three[0]!['ssl.keystore.type'], 'PEM');
  t.equal(three[0]!['ssl.keystore.location'], 'ks.pem');
  t.equal(three[0]!['sasl.enabled.mechanisms'], 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512');
  t.match(String(three[0]!['listener.name.sasl_ssl.plain.sasl.jaas.config']), /user_test="testtest"/);
  const [oauth] = brokerConfigs({ brokers: 1, ssl: true, sasl: true, oauthbearer: true }, { portOffset: 0 });
  t.equal(oauth!['sasl.enabled.mechanisms'], 'OAUTHBEARER');
  t.match(
    String(oauth!['listener.name.sasl_ssl.oauthbearer.sasl.jaas.config']),
    /unsecuredLoginStringClaim_sub="admin"/,
  );
  t.equal(oauth!['listener.name.sasl_ssl.plain.sasl.jaas.config'], undefined);
  t.match(
    describeCluster({ brokers: 1, ssl: true, sasl: true, oauthbearer: true }, 0),
    /SASL_SSL :9094 \(OAUTHBEARER only\)/,
  );
  t.same(
    three.map((c) => c['node.id']),
    [0, 1, 2],
  );
  t.equal(
    three[2]!['advertised.listeners'],
    'PLAINTEXT://localhost:9198,SSL://localhost:9199,SASL_SSL://localhost:9200',
  );
  t.equal(three[0]!['controller.quorum.voters'], '0@127.0.0.1:19192,1@127.0.0.1:19195,2@127.0.0.1:19198');
  t.equal(three[1]!['default.replication.factor'], 2);
  t.match(describeCluster({ brokers: 1, ssl: false, sasl: false }, 0), /node 0 \(PLAINTEXT :9092\)/);
});

t.test('classification and helpers', async (t) => {
  t.equal(needsBroker("const { createCluster } = require('testHelpers')"), true);
  t.equal(needsBroker('const { secureRandom, newLogger } = require("testHelpers")'), false);
  t.equal(directoryOf('src/protocol/requests/fetch/v4/request.spec.js'), 'src/protocol');
  t.equal(directoryOf('index.spec.js'), 'index.spec.js');
  t.equal(firstLine('\n\n  Error: boom\n at x'), 'Error: boom');
  t.equal(firstLine('x'.repeat(300), 10).length, 10);
});

t.test('triage groups failures by likely cause', async (t) => {
  t.equal(classifyFailure('Producer support SSL connections', 'x').cause, 'needs-ssl');
  t.equal(classifyFailure('Producer support SASL PLAIN connections', 'x').cause, 'needs-sasl');
  t.equal(
    classifyFailure('A b', 'KafkaJSConnectionError: Connection error: connect ECONNREFUSED 127.0.0.1:9094').cause,
    'needs-sasl',
  );
  t.equal(classifyFailure('A b', 'Error: connect ECONNREFUSED 127.0.0.1:9095').cause, 'needs-3-brokers');
  const missing = classifyFailure(
    'Producer transactions commit',
    'KafkaJSServerDoesNotSupportApiKey: The Kafka server does not support the requested API version\n    at Broker.lookupRequest (src/protocol/requests/index.js:92:11)\n    at Broker.initProducerId (src/broker/index.js:516:26)',
  );
  t.same(missing, { group: 'missing API: Broker.initProducerId' });
  t.equal(
    classifyFailure('A', 'KafkaJSProtocolError: This server does not host this topic-partition').group,
    'Kafka error: This server does not host this topic-partition',
  );
  t.equal(brokerMethod('at async Broker.[as produce] (x)'), 'produce');
  const run = parseJestJson(JEST_JSON, ROOT);
  const groups = triage(run);
  t.same(
    groups.map((g) => [g.group, g.tests.length]),
    [
      ['other: KafkaJSConnectionError: Connection | refused', 1],
      ['other: Test suite failed to run', 1],
    ],
  );
  t.same(
    proposeEntries([{ group: 'needs SSL', cause: 'needs-ssl', tests: [{ file: 'f', fullName: 'n', failure: '' }] }]),
    [{ file: 'f', test: 'n', cause: 'needs-ssl' }],
  );
  t.match(renderTriage(groups), /\| 1 \| other: KafkaJSConnectionError: Connection \\\| refused \|/);
});

t.test('jest args: path patterns reach jest before every option', async (t) => {
  const args = buildJestArgs({
    jsonPath: '/w/jest-results.json',
    maxWorkers: 2,
    namePattern: '^(?!x)',
    positionals: ['src/consumer', 'src/admin'],
    byPath: false,
  });
  t.same(args.slice(0, 2), ['src/consumer', 'src/admin']);
  const reporters = args.indexOf('--reporters=default');
  t.ok(reporters > 1, 'reporters after the patterns');
  // nothing positional may follow an option (array options would swallow it)
  t.ok(
    args.slice(2).every((a) => a.startsWith('--')),
    'only options after the patterns',
  );
  t.ok(args.includes('--testNamePattern=^(?!x)'));
  t.notOk(args.includes('--runTestsByPath'));
  const byPath = buildJestArgs({ jsonPath: '/j', maxWorkers: 1, positionals: ['a.spec.js'], byPath: true });
  t.equal(byPath[0], 'a.spec.js');
  t.ok(byPath.includes('--runTestsByPath'));
  t.notOk(byPath.some((a) => a.startsWith('--testNamePattern')));
});

t.test('a jest run that did not finish fails loudly', async (t) => {
  const finished = JSON.stringify({ numTotalTestSuites: 3, numTotalTests: 10, wasInterrupted: false, testResults: [] });
  t.equal(unfinishedRunReason({ code: 0, signal: null }, finished), undefined);
  t.equal(unfinishedRunReason({ code: 1, signal: null }, finished), undefined, 'failing tests are a finished run');
  t.match(unfinishedRunReason({ code: 1, signal: null }, undefined), /no results file/);
  t.match(unfinishedRunReason({ code: null, signal: 'SIGKILL' }, finished), /killed by SIGKILL/);
  t.match(unfinishedRunReason({ code: 1, signal: null }, 'not json'), /not a jest --json report/);
  const none = JSON.stringify({ numTotalTestSuites: 0, numTotalTests: 0, testResults: [] });
  t.match(unfinishedRunReason({ code: 1, signal: null }, none), /ran no test file/);
  const interrupted = JSON.stringify({ numTotalTestSuites: 3, wasInterrupted: true, testResults: [] });
  t.match(unfinishedRunReason({ code: 1, signal: null }, interrupted), /interrupted/);
  t.match(unfinishedRunReason({ code: 137, signal: null }, finished), /exited with code 137/);
  t.same(readRunSummary(finished), {
    numTotalTestSuites: 3,
    numTotalTests: 10,
    numRuntimeErrorTestSuites: 0,
    wasInterrupted: false,
  });
});
