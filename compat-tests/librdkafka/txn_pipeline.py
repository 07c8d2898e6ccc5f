"""
A read-process-write pipeline with confluent-kafka's transactional producer (librdkafka).
Usage: txn_pipeline.py BOOTSTRAP run EXPECTED [CRASH_AFTER]   -- process input 'in' -> 'out'
       txn_pipeline.py BOOTSTRAP verify PARTITIONS              -- print 'out' read_committed as JSON
Each chunk of up to 5 records goes out in one transaction together with the consumer
offsets; every third transaction is aborted first and redone. With CRASH_AFTER, after
that many commits the next transaction is left open and the process exits at once.
"""
import json
import os
import sys

from confluent_kafka import Consumer, Producer, TopicPartition, KafkaException

bootstrap, mode = sys.argv[1], sys.argv[2]


def run(expected, crash_after):
    consumer = Consumer({
        'bootstrap.servers': bootstrap,
        'group.id': 'rdk-pipeline',
        'session.timeout.ms': 6000,
        'enable.auto.commit': False,
        'auto.offset.reset': 'earliest',
        'isolation.level': 'read_committed',
    })
    producer = Producer({'bootstrap.servers': bootstrap, 'transactional.id': 'rdk-pipeline-tx', 'linger.ms': 0})
    producer.init_transactions(30)
    consumer.subscribe(['in'])
    done = 0
    commits = 0
    attempts = 0
    committed_total = sum_committed(consumer)
    while committed_total + done < expected:
        msgs = consumer.consume(num_messages=5, timeout=1.0)
        msgs = [m for m in msgs if m.error() is None]
        if not msgs:
            continue
        while True:
            producer.begin_transaction()
            for m in msgs:
                producer.produce('out', value=m.value(), partition=m.partition())
            positions = {}
            for m in msgs:
                positions[m.partition()] = max(positions.get(m.partition(), 0), m.offset() + 1)
            producer.send_offsets_to_transaction(
                [TopicPartition('in', p, o) for p, o in positions.items()], consumer.consumer_group_metadata(), 30)
            attempts += 1
            if crash_after is not None and commits >= crash_after:
                producer.flush(10)
                print(json.dumps({'crashed': True, 'commits': commits}), flush=True)
                os._exit(0)
            if attempts % 3 == 0:
                producer.abort_transaction(30)
                continue
            producer.commit_transaction(30)
            commits += 1
            break
        done += len(msgs)
    print(json.dumps({'crashed': False, 'commits': commits, 'done': done}), flush=True)
    consumer.close()


def sum_committed(consumer):
    parts = [TopicPartition('in', p) for p in range(2)]
    total = 0
    for tp in consumer.committed(parts, timeout=10):
        if tp.offset >= 0:
            total += tp.offset
    return total


def verify(partitions):
    consumer = Consumer({
        'bootstrap.servers': bootstrap,
        'group.id': 'rdk-verify',
        'enable.auto.commit': False,
        'auto.offset.reset': 'earliest',
        'isolation.level': 'read_committed',
        'enable.partition.eof': True,
    })
    consumer.assign([TopicPartition('out', p, 0) for p in range(partitions)])
    out = {str(p): [] for p in range(partitions)}
    eof = set()
    while len(eof) < partitions:
        m = consumer.poll(5.0)
        if m is None:
            continue
        if m.error():
            if m.error().code() == -191:  # _PARTITION_EOF
                eof.add(m.partition())
                continue
            raise KafkaException(m.error())
        out[str(m.partition())].append(m.value().decode())
    consumer.close()
    print(json.dumps(out), flush=True)


if mode == 'run':
    run(int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else None)
else:
    verify(int(sys.argv[3]))
