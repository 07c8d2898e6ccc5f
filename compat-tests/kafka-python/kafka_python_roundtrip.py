"""kafka-python (Debian's python3-kafka) producer and consumer, against one broker.

usage: kafka_python_roundtrip.py <bootstrap> <topic> <count> <compression>
kafka-python sends ApiVersions v0 then Metadata v0 without waiting, and fixed versions
(Produce 7, Fetch 4 here) with xerial-framed snappy.
"""
import json
import sys

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

bootstrap, topic, count, compression = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]

producer = KafkaProducer(bootstrap_servers=bootstrap, compression_type=None if compression == "none" else compression)
for i in range(count):
    producer.send(topic, key=f"k{i}".encode(), value=f"v{i}".encode(), headers=[("h", f"x{i}".encode())],
                  partition=0, timestamp_ms=1700000000000 + i)
producer.flush(15)
producer.close()

consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, consumer_timeout_ms=10000)
tp = TopicPartition(topic, 0)
consumer.assign([tp])
consumer.seek_to_beginning(tp)
seen = 0
for msg in consumer:
    print(json.dumps({"key": msg.key.decode(), "value": msg.value.decode(),
                      "headers": [[k, v.decode()] for k, v in msg.headers], "timestamp": msg.timestamp,
                      "offset": msg.offset}))
    seen += 1
    if seen == count:
        break
consumer.close()
if seen != count:
    sys.exit(f"consumed {seen} of {count}")
