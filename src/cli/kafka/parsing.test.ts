/**
 * The pure parts of Kafka's tools: joptsimple-style options (prefixes, `=` values, repeated values,
 * typed values, Kafka's messages), the replica assignment and --add-config syntaxes, IncludeList
 * topic patterns, the LineMessageReader and the DefaultMessageFormatter.
 */
import t from 'tap';
import { KafkaOptionError, parseOptions, usageText, type OptionSpec } from './options.js';
import { parseReplicaAssignment } from './topics.js';
import { parseAddConfig } from './configs.js';
import { includeListMatcher } from './topic-filter.js';
import { LineReaderError, lineReaderSettings, readLine } from './line-reader.js';
import { formatRecord, formatterSettings } from './message-formatter.js';
import type { ConsumedRecord } from '../../client/consumer.js';

const SPECS: OptionSpec[] = [
  { name: 'bootstrap-server', arg: 'required', help: 'servers' },
  { name: 'topic', arg: 'required', help: 'a topic' },
  { name: 'topic-id', arg: 'required', help: 'a topic id' },
  { name: 'partitions', arg: 'required', type: 'Integer', help: 'count' },
  { name: 'list', arg: 'none', help: 'list' },
  { name: 'state', arg: 'optional', help: 'state' },
  { name: 'config', arg: 'required', help: 'k=v' },
];

t.test('options as joptsimple parses them', async (t) => {
  const o = parseOptions(SPECS, [
    '--bootstrap',
    'h:1',
    '--topic=a',
    '--config',
    'x=1',
    '--config',
    'y=2',
    '--list',
    '--state',
  ]);
  t.equal(o.value('bootstrap-server'), 'h:1', 'an unambiguous prefix names the option');
  t.equal(o.value('topic'), 'a', '--name=value');
  t.same(o.values('config'), ['x=1', 'y=2'], 'a repeated option keeps every value');
  t.ok(o.has('list'));
  t.ok(o.has('state') && o.value('state') === undefined, 'an optional value may be left out');
  t.equal(parseOptions(SPECS, ['--topic', '--list']).value('topic'), '--list', 'a required value is the next word');
  t.throws(
    () => parseOptions(SPECS, ['--zookeeper', 'x']),
    new KafkaOptionError('zookeeper is not a recognized option'),
  );
  t.throws(
    () => parseOptions(SPECS, ['--topi', 'x']),
    /topi is not a recognized option/,
    'an ambiguous prefix is not an option',
  );
  t.throws(() => parseOptions(SPECS, ['--topic']), /Option topic requires an argument/);
  t.throws(() => parseOptions(SPECS, ['--partitions', '3x']), /Cannot parse argument '3x' of option partitions/);
  t.throws(() => parseOptions(SPECS, ['--list=yes']), /Option list does not take an argument/);
  t.match(
    usageText(SPECS),
    /^Option {35}Description\n------ {35}-----------\n--bootstrap-server <String> {14}servers\n/,
  );
});

t.test('replica assignments, --add-config and topic patterns', async (t) => {
  t.same(parseReplicaAssignment('0:1,1:2, 2:0'), [
    [0, 1],
    [1, 2],
    [2, 0],
  ]);
  t.throws(() => parseReplicaAssignment('0:0'), /may not contain duplicate entries: 0/);
  t.throws(() => parseReplicaAssignment('0:1,2'), /Partition 1 has different replication factor: 2/);
  t.same(parseAddConfig('a=1,b=[x,y],c=z=w'), { a: '1', b: 'x,y', c: 'z=w' });
  const m = includeListMatcher('orders.*, payments');
  t.same(['orders', 'orders-v2', 'payments', 'payments2', 'x-orders'].filter(m), ['orders', 'orders-v2', 'payments']);
  t.throws(() => includeListMatcher('('), /is an invalid regex/);
});

t.test('the LineMessageReader', async (t) => {
  const s = lineReaderSettings({ 'parse.key': 'true', 'parse.headers': 'true', 'null.marker': '-' });
  const r = readLine('a:1,b:-\tk\tv\tw', 1, s);
  t.same(r.headers, [
    { key: 'a', value: Buffer.from('1') },
    { key: 'b', value: null },
  ]);
  t.same([r.key?.toString(), r.value?.toString()], ['k', 'v\tw'], 'the value keeps later separators');
  t.equal(readLine('-\t-\t-', 2, s).value, null, 'null.marker makes a null value');
  t.throws(
    () => readLine('novalue', 7, lineReaderSettings({ 'parse.key': 'true' })),
    new LineReaderError("No key separator found on line number 7: 'novalue'"),
  );
  t.equal(readLine('novalue', 1, lineReaderSettings({ 'parse.key': 'true', 'ignore.error': 'true' })).key, null);
  t.throws(
    () => lineReaderSettings({ 'headers.delimiter': ',' }),
    /headers.delimiter and headers.separator may not be equal/,
  );
  t.throws(() => lineReaderSettings({ 'parse.keys': 'true' }), /parse.keys: not a property/);
});

t.test('the DefaultMessageFormatter', async (t) => {
  const record: ConsumedRecord = {
    topic: 't',
    partition: 2,
    offset: 5n,
    offsetDelta: 0,
    timestamp: 1700000000000n,
    timestampDelta: 0n,
    timestampType: 1,
    attributes: 0,
    key: null,
    value: Buffer.from('v'),
    headers: [{ key: 'h', value: Buffer.from('x') }],
  };
  t.equal(formatRecord(record, formatterSettings({})).toString(), 'v\n');
  const all = formatterSettings({
    'print.timestamp': 'true',
    'print.partition': 'true',
    'print.offset': 'true',
    'print.headers': 'true',
    'print.key': 'true',
    'null.literal': 'NIL',
  });
  t.equal(formatRecord(record, all).toString(), 'LogAppendTime:1700000000000\tPartition:2\tOffset:5\th:x\tNIL\tv\n');
  t.equal(
    formatRecord(record, formatterSettings({ 'print.key': 'true', 'print.value': 'false' })).toString(),
    'null\n',
  );
  t.throws(() => formatterSettings({ 'value.deserializer': 'x.LongDeserializer' }), /StringDeserializer only/);
});
