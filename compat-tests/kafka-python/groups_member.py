"""One kafka-python (Debian's python3-kafka 2.0.2) group member, driven by a test.

usage: groups_member.py <bootstrap> <group> <topic> <range|roundrobin> <session timeout ms>

KafkaConsumer(group_id=...) subscribes; every record is printed, then its offset is
committed synchronously (processing first, commit after). Speaks the same JSON event
protocol as ../librdkafka/groups_member.py:
  {"e": "assignment", "p": [...]}, {"e": "msg", "v": value, "p": partition, "o": offset},
  {"e": "commit_error", "err": text}, {"e": "closed"}
A line "stop" on stdin closes the consumer (LeaveGroup) and exits.
"""
import json
import sys
import threading

from kafka import ConsumerRebalanceListener, KafkaConsumer, OffsetAndMetadata
from kafka.coordinator.assignors.range import RangePartitionAssignor
from kafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor
from kafka.errors import KafkaError

bootstrap, group, topic, strategy, session_ms = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
assignor = RangePartitionAssignor if strategy == "range" else RoundRobinPartitionAssignor


def emit(event):
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


stop = threading.Event()


def watch_stdin():
    for line in sys.stdin:
        if line.strip() == "stop":
            break
    stop.set()


threading.Thread(target=watch_stdin, daemon=True).start()


class Listener(ConsumerRebalanceListener):
    def on_partitions_revoked(self, revoked):
        emit({"e": "assignment", "p": []})

    def on_partitions_assigned(self, assigned):
        emit({"e": "assignment", "p": sorted(tp.partition for tp in assigned)})


consumer = KafkaConsumer(
    bootstrap_servers=bootstrap,
    group_id=group,
    enable_auto_commit=False,
    auto_offset_reset="earliest",
    partition_assignment_strategy=[assignor],
    session_timeout_ms=session_ms,
    heartbeat_interval_ms=100,
    max_poll_interval_ms=20000,
    fetch_max_wait_ms=100,
    metadata_max_age_ms=1000,
)
consumer.subscribe([topic], listener=Listener())

while not stop.is_set():
    batches = consumer.poll(timeout_ms=50)
    for tp, records in batches.items():
        for record in records:
            emit({"e": "msg", "v": record.value.decode(), "p": record.partition, "o": record.offset})
            try:
                consumer.commit({tp: OffsetAndMetadata(record.offset + 1, None)})
            except KafkaError as error:
                emit({"e": "commit_error", "err": repr(error)})

consumer.close()
emit({"e": "closed"})
