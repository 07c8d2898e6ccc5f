"""Load for bench/broker: librdkafka through Debian's python3-confluent-kafka.

  produce <bootstrap> <topic> <messages> <size> <partitions>
      produces <messages> values of <size> bytes round-robin over <partitions>
      (linger.ms=5, large batches, acks=1) as fast as the client goes, after one
      warm-up message that settles metadata and the connection.
  create <bootstrap> <topic> <partitions>
      creates the topic (replication factor 1) through the admin client.
  delete <bootstrap> <topic>
      deletes the topic through the admin client.
  consume <bootstrap> <topic> <messages> <partitions>
      assigns every partition from offset 0 and reads until <messages> arrived.

Prints one JSON line: {"seconds": wall time of the timed part, "messages": n, "bytes": payload bytes}.
Exits 1 on any delivery error or on a 60 s deadline.
"""
import json
import sys
import time

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

DEADLINE_S = 60.0


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


def produce(bootstrap, topic, count, size, partitions):
    errors = []
    producer = Producer({
        'bootstrap.servers': bootstrap,
        'acks': 1,
        'linger.ms': 5,
        'batch.size': 1_000_000,
        'batch.num.messages': 100_000,
        'queue.buffering.max.messages': 2_000_000,
        'queue.buffering.max.kbytes': 2_000_000,
        'compression.type': 'none',
        'enable.idempotence': False,
        'delivery.report.only.error': True,
        'on_delivery': lambda err, msg: errors.append(err) if err else None,
    })
    value = b'x' * size
    for p in range(partitions):
        producer.produce(topic, value, partition=p)
    if producer.flush(30) != 0 or errors:
        fail(f'warm-up failed: {errors[:3]}')
    start = time.perf_counter()
    deadline = start + DEADLINE_S
    for i in range(count):
        while True:
            try:
                producer.produce(topic, value, partition=i % partitions)
                break
            except BufferError:
                producer.poll(0.001)
                if time.perf_counter() > deadline:
                    fail('deadline while producing')
    left = producer.flush(DEADLINE_S)
    seconds = time.perf_counter() - start
    if left != 0 or errors:
        fail(f'{left} undelivered, errors: {errors[:3]}')
    return {'seconds': seconds, 'messages': count, 'bytes': count * size}


def consume(bootstrap, topic, count, partitions):
    consumer = Consumer({
        'bootstrap.servers': bootstrap,
        'group.id': 'bench',
        'enable.auto.commit': False,
        'enable.partition.eof': False,
        'fetch.max.bytes': 52_428_800,
        'max.partition.fetch.bytes': 1_048_576,
        'queued.max.messages.kbytes': 262_144,
    })
    start = time.perf_counter()
    consumer.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
    got = 0
    payload = 0
    deadline = start + DEADLINE_S
    while got < count:
        if time.perf_counter() > deadline:
            fail(f'deadline: {got} of {count} consumed')
        for msg in consumer.consume(num_messages=10_000, timeout=0.5):
            if msg.error():
                fail(f'consume error: {msg.error()}')
            got += 1
            payload += len(msg.value())
    seconds = time.perf_counter() - start
    consumer.close()
    return {'seconds': seconds, 'messages': got, 'bytes': payload}


def create(bootstrap, topic, partitions):
    admin = AdminClient({'bootstrap.servers': bootstrap})
    for future in admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)]).values():
        future.result(30)
    return {'created': topic}


def delete(bootstrap, topic):
    admin = AdminClient({'bootstrap.servers': bootstrap})
    for future in admin.delete_topics([topic]).values():
        future.result(30)
    return {'deleted': topic}


def main(argv):
    if len(argv) >= 4 and argv[0] == 'create':
        result = create(argv[1], argv[2], int(argv[3]))
    elif len(argv) >= 3 and argv[0] == 'delete':
        result = delete(argv[1], argv[2])
    elif len(argv) >= 6 and argv[0] == 'produce':
        result = produce(argv[1], argv[2], int(argv[3]), int(argv[4]), int(argv[5]))
    elif len(argv) >= 5 and argv[0] == 'consume':
        result = consume(argv[1], argv[2], int(argv[3]), int(argv[4]))
    else:
        fail(__doc__)
    print(json.dumps(result))


if __name__ == '__main__':
    main(sys.argv[1:])
