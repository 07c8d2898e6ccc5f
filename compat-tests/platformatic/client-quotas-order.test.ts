/**
 * Client quotas in Kafka's order, through @platformatic/kafka's Admin: its own suite compares
 * AlterClientQuotas and DescribeClientQuotas answers with deepStrictEqual, as Kafka sends them.
 * Kafka keeps entities, their parts and their values in java.util.HashMaps, so a user + client-id
 * entity comes back client-id first whatever order the request named them in, and the values of
 * producer_byte_rate, consumer_byte_rate and request_percentage come back consumer, request,
 * producer (the order the platformatic suite's tests expect of Kafka 4.1). Entities: the user-only
 * one, made first, before the user + client-id one (same bucket, insertion order).
 * Found by compat-tests/platformatic-suite (admin.test.ts, alterClientQuotas tests).
 */
import './node20-shim.js';
import t from 'tap';
import { Admin, ClientQuotaEntityTypes, ClientQuotaKeys, ClientQuotaMatchTypes } from '@platformatic/kafka';
import { brokerFor } from '../../test/helpers/broker.js';

const { USER, CLIENT_ID } = ClientQuotaEntityTypes;
const ops = [
  { key: ClientQuotaKeys.PRODUCER_BYTE_RATE, value: 1000, remove: false },
  { key: ClientQuotaKeys.CONSUMER_BYTE_RATE, value: 1000, remove: false },
  { key: ClientQuotaKeys.REQUEST_PERCENTAGE, value: 0.5, remove: false },
];
const kafkaValues = [
  { key: ClientQuotaKeys.CONSUMER_BYTE_RATE, value: 1000 },
  { key: ClientQuotaKeys.REQUEST_PERCENTAGE, value: 0.5 },
  { key: ClientQuotaKeys.PRODUCER_BYTE_RATE, value: 1000 },
];

t.test('@platformatic/kafka: client quota answers in Kafka order', async (t) => {
  const running = await brokerFor(t);
  const admin = new Admin({ clientId: 'quota-order', bootstrapBrokers: [`127.0.0.1:${running.port}`] });
  t.teardown(() => admin.close());

  const userOnly = [{ entityType: USER, entityName: 'User1' }];
  const both = [
    { entityType: USER, entityName: 'User1' },
    { entityType: CLIENT_ID, entityName: 'Client1' },
  ];
  const bothInKafkaOrder = [
    { entityType: CLIENT_ID, entityName: 'Client1' },
    { entityType: USER, entityName: 'User1' },
  ];

  const validated = await admin.alterClientQuotas({ entries: [{ entities: both, ops }], validateOnly: true });
  t.same(validated, [{ errorCode: 0, errorMessage: null, entity: bothInKafkaOrder }], 'validateOnly echo');

  await admin.alterClientQuotas({ entries: [{ entities: userOnly, ops }], validateOnly: false });
  const altered = await admin.alterClientQuotas({ entries: [{ entities: both, ops }], validateOnly: false });
  t.same(altered, [{ errorCode: 0, errorMessage: null, entity: bothInKafkaOrder }], 'alter answer');

  const described = await admin.describeClientQuotas({
    components: [{ entityType: USER, matchType: ClientQuotaMatchTypes.EXACT, match: 'User1' }],
    strict: false,
  });
  t.strictSame(described, [
    { entity: userOnly, values: kafkaValues },
    { entity: bothInKafkaOrder, values: kafkaValues },
  ]);

  // Removing one value keeps the others in order; the values of one entity change, not the entities'.
  await admin.alterClientQuotas({
    entries: [{ entities: both, ops: [{ key: ClientQuotaKeys.CONSUMER_BYTE_RATE, remove: true }] }],
    validateOnly: false,
  });
  const after = await admin.describeClientQuotas({
    components: [
      { entityType: CLIENT_ID, matchType: ClientQuotaMatchTypes.EXACT, match: 'Client1' },
      { entityType: USER, matchType: ClientQuotaMatchTypes.EXACT, match: 'User1' },
    ],
    strict: true,
  });
  t.strictSame(after, [{ entity: bothInKafkaOrder, values: kafkaValues.slice(1) }]);
});
