/**
 * kafkajs round trips for tests: produce five messages through a bootstrap address and consume them
 * back in a group (the Docker tests); create, produce and read back; read a topic from the beginning
 * until a count of values.
 */
import kafkajs, { type Kafka as KafkaClient } from 'kafkajs';

const { Kafka, logLevel } = kafkajs;

/** Produces v0..v4 to `topic`, consumes them from the beginning; returns the values consumed, sorted. */
export async function kafkajsRoundTrip(bootstrap: string, topic: string): Promise<string[]> {
  const kafka = new Kafka({
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 100 },
  });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
  await producer.disconnect();
  return (await consumeValues(kafka, topic, `${topic}-group`, 5, 60_000)).sort();
}

/**
 * Reads `topic` from the beginning in group `groupId` until `count` values have come, or `timeoutMs`
 * has passed; the values read, in the order they came (fewer than `count` after the timeout).
 */
export async function consumeValues(
  kafka: KafkaClient,
  topic: string,
  groupId: string,
  count: number,
  timeoutMs: number,
): Promise<string[]> {
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  await consumer.connect();
  const values: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await Promise.race([
      new Promise<void>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) => {
            values.push(message.value?.toString() ?? '');
            if (values.length >= count) resolve();
          },
        });
      }),
      new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
  return values;
}

/**
 * Creates `topic` (the broker's default partitions, waiting for its leaders), produces `values` and
 * reads them back from the beginning in group `<topic>-g`; the values read, in the order they came.
 */
export async function createProduceConsume(
  kafka: KafkaClient,
  topic: string,
  values: string[],
  timeoutMs = 60_000,
): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({ topic, messages: values.map((value) => ({ value })) });
  } finally {
    await producer.disconnect();
  }
  return consumeValues(kafka, topic, `${topic}-g`, values.length, timeoutMs);
}
