"""Produces keyless and keyed messages to a compacted topic with confluent-kafka and
prints one JSON line per delivery report: the value, the error code and string (or null)."""
import json
import sys

from confluent_kafka import Producer

bootstrap, topic = sys.argv[1], sys.argv[2]
producer = Producer({'bootstrap.servers': bootstrap, 'linger.ms': 50, 'message.send.max.retries': 0})
reports = []


def report(err, msg):
    reports.append({
        'value': msg.value().decode(),
        'code': None if err is None else err.code(),
        'error': None if err is None else err.str(),
    })


# One batch holding a keyed and a keyless message, then a keyed one alone.
producer.produce(topic, key=b'k1', value=b'keyed-in-mixed', partition=0, on_delivery=report)
producer.produce(topic, value=b'keyless', partition=0, on_delivery=report)
producer.flush(30)
producer.produce(topic, key=b'k2', value=b'keyed-alone', partition=0, on_delivery=report)
producer.flush(30)
for r in reports:
    print(json.dumps(r))
