"""One balanced consumer-group member on python3-confluent-kafka (librdkafka), driven by a test.

usage: groups_member.py <bootstrap> <group> <topic> <assignment strategy> <session timeout ms> [group.instance.id]

Subscribes, and for every message prints it, then commits its offset synchronously
(processing first, commit after). Prints one JSON line per event on stdout:
  {"e": "assignment", "p": [current partitions]}   after every assign/revoke
  {"e": "msg", "v": value, "p": partition, "o": offset}
  {"e": "commit_error", "p": partition, "o": offset, "err": text}
  {"e": "closed"}
A line "stop" on stdin closes the consumer cleanly (LeaveGroup) and exits.
"""
import json
import logging
import os
import sys
import threading

from confluent_kafka import Consumer, KafkaException

bootstrap, group, topic, strategy, session_ms = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
instance_id = sys.argv[6] if len(sys.argv) > 6 else None
incremental = strategy == "cooperative-sticky"


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

current = set()


def on_assign(consumer, partitions):
    global current
    given = {p.partition for p in partitions}
    if incremental:
        consumer.incremental_assign(partitions)
        current |= given
    else:
        consumer.assign(partitions)
        current = given
    emit({"e": "assignment", "p": sorted(current)})


def on_revoke(consumer, partitions):
    global current
    taken = {p.partition for p in partitions}
    if incremental:
        consumer.incremental_unassign(partitions)
        current -= taken
    else:
        consumer.unassign()
        current = set()
    emit({"e": "assignment", "p": sorted(current)})


config = {
    "bootstrap.servers": bootstrap,
    "group.id": group,
    "partition.assignment.strategy": strategy,
    "enable.auto.commit": False,
    "auto.offset.reset": "earliest",
    "session.timeout.ms": session_ms,
    "heartbeat.interval.ms": 100,
    "max.poll.interval.ms": max(20000, session_ms),
    "fetch.wait.max.ms": 100,
    "topic.metadata.refresh.interval.ms": 1000,
}
if instance_id is not None:
    config["group.instance.id"] = instance_id
debug_log = os.environ.get("GROUPS_MEMBER_DEBUG_DIR")
if debug_log:
    # librdkafka's own debug log of the group and fetch paths, one file per member (post-mortems)
    config["debug"] = "cgrp,topic,fetch"
    handler = logging.FileHandler(os.path.join(debug_log, f"{group}-{instance_id or os.getpid()}.log"))
    handler.setFormatter(logging.Formatter("%(created).3f %(message)s"))
    log = logging.getLogger(f"member-{os.getpid()}")
    log.setLevel(logging.DEBUG)
    log.addHandler(handler)
    consumer = Consumer(config, logger=log)
else:
    consumer = Consumer(config)
consumer.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)

while not stop.is_set():
    msg = consumer.poll(0.05)
    if msg is None:
        continue
    if msg.error():
        emit({"e": "error", "err": str(msg.error())})
        continue
    emit({"e": "msg", "v": msg.value().decode(), "p": msg.partition(), "o": msg.offset()})
    try:
        consumer.commit(message=msg, asynchronous=False)
    except KafkaException as error:
        emit({"e": "commit_error", "p": msg.partition(), "o": msg.offset(), "err": str(error)})

consumer.close()
emit({"e": "closed"})
