"""
An acks=all producer stream for the fault tests, with a real Python client, until stdin closes.

    fault_producers.py confluent|kafka-python BOOTSTRAP TOPIC PARTITION PREFIX

Writes PREFIX-0, PREFIX-1, ... to one partition and prints one line per outcome, in the order the
client reports them: "ACK <value>" (acknowledged), "FAIL <value> <error>" (not acknowledged: may or may
not be in the log), then "DONE acked=N failed=M" after the final flush.
- confluent: python3-confluent-kafka (librdkafka) with enable.idempotence=true: retries keep order and
  never duplicate; up to 100 records in flight, about 50 a second.
- kafka-python: acks='all', retries=0 (a failed send is reported, never resent, so nothing is written
  twice), one record at a time, about 50 a second at most.
"""
import sys
import threading
import time

stop = threading.Event()


def watch_stdin():
    sys.stdin.read()
    stop.set()


def out(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def run_confluent(bootstrap, topic, partition, prefix):
    from confluent_kafka import Producer

    producer = Producer(
        {
            "bootstrap.servers": bootstrap,
            "enable.idempotence": True,
            "acks": "all",
            "linger.ms": 5,
            "message.timeout.ms": 60000,
            "request.timeout.ms": 5000,
            "retry.backoff.ms": 50,
            "topic.metadata.refresh.interval.ms": 1000,
        }
    )
    counts = {"acked": 0, "failed": 0}

    def delivered(err, msg):
        value = msg.value().decode()
        if err is None:
            counts["acked"] += 1
            out("ACK " + value)
        else:
            counts["failed"] += 1
            out("FAIL %s %s" % (value, str(err).replace("\n", " ")))

    i = 0
    while not stop.is_set() and i < 1000000:
        if len(producer) >= 100:
            producer.poll(0.05)
            continue
        producer.produce(topic, value=("%s-%d" % (prefix, i)).encode(), partition=partition, on_delivery=delivered)
        i += 1
        producer.poll(0)
        time.sleep(0.02)
    left = producer.flush(60)
    out("DONE acked=%d failed=%d unflushed=%d" % (counts["acked"], counts["failed"], left))


def run_kafka_python(bootstrap, topic, partition, prefix):
    from kafka import KafkaProducer

    producer = KafkaProducer(
        bootstrap_servers=bootstrap.split(","),
        acks="all",
        retries=0,
        max_in_flight_requests_per_connection=1,
        request_timeout_ms=5000,
        metadata_max_age_ms=1000,
        reconnect_backoff_ms=50,
        reconnect_backoff_max_ms=500,
    )
    acked = failed = 0
    i = 0
    while not stop.is_set() and i < 1000000:
        value = "%s-%d" % (prefix, i)
        i += 1
        try:
            producer.send(topic, value=value.encode(), partition=partition).get(timeout=15)
            acked += 1
            out("ACK " + value)
            time.sleep(0.02)
        except Exception as err:  # noqa: BLE001 - every failure is an unknown outcome
            failed += 1
            out("FAIL %s %s" % (value, type(err).__name__))
            time.sleep(0.1)
    producer.close(10)
    out("DONE acked=%d failed=%d unflushed=0" % (acked, failed))


def main():
    client, bootstrap, topic, partition, prefix = sys.argv[1:6]
    threading.Thread(target=watch_stdin, daemon=True).start()
    if client == "confluent":
        run_confluent(bootstrap, topic, int(partition), prefix)
    elif client == "kafka-python":
        run_kafka_python(bootstrap, topic, int(partition), prefix)
    else:
        raise SystemExit("unknown client " + client)


main()
