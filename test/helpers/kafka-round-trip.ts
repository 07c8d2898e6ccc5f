/**
 * Test helper for the Docker tests: produce five messages with kafkajs through a bootstrap address,
 * consume them back in a group, and say what was consumed.
 */
import kafkajs from 'kafkajs';

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
  const consumer = kafka.consumer({ groupId: `${topic}-group`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const values: string[] = [];
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        values.push(String(message.value));
        if (values.length === 5) resolve();
      },
    });
  });
  await consumer.disconnect();
  return values.sort();
}
