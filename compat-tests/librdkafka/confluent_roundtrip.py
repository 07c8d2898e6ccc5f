"""python3-confluent-kafka (librdkafka) producer and consumer with assign, against one broker.

usage: confluent_roundtrip.py <bootstrap> <topic> <count> <compression>
Prints one JSON line per consumed message: key, value, headers, timestamp.
"""
import json
import sys

from confluent_kafka import Consumer, Producer, TopicPartition

bootstrap, topic, count, compression = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]

producer = Producer({"bootstrap.servers": bootstrap, "compression.type": compression, "linger.ms": 5})
for i in range(count):
    producer.produce(topic, key=f"k{i}".encode(), value=f"v{i}".encode(), headers=[("h", f"x{i}".encode())],
                     timestamp=1700000000000 + i, partition=0)
remaining = producer.flush(15)
if remaining:
    sys.exit(f"{remaining} messages not delivered")

consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused", "enable.auto.commit": False})
consumer.assign([TopicPartition(topic, 0, 0)])
seen = 0
while seen < count:
    msg = consumer.poll(10)
    if msg is None:
        sys.exit(f"timed out after {seen} messages")
    if msg.error():
        sys.exit(str(msg.error()))
    print(json.dumps({
        "key": msg.key().decode(),
        "value": msg.value().decode(),
        "headers": [[k, v.decode()] for k, v in (msg.headers() or [])],
        "timestamp": msg.timestamp()[1],
        "offset": msg.offset(),
    }))
    seen += 1
consumer.close()
