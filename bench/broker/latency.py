"""End-to-end latency load for bench/broker/latency.ts (python3-confluent-kafka, librdkafka 2.0.2).

  latency.py consume <bootstrap> <topic> <count> <timeout_s>
      assigns partition 0 from offset 0, prints "ready" once assigned, reads `count` messages (not
      counting the producer's warm-up messages, stamped 0) and
      prints one JSON line: p50/p99/p999/max in ms of (arrival time - send time written in the value),
      over all but the first 10% (warm-up), and the count received.
  latency.py produce <bootstrap> <topic> <rate_msgs_per_s> <seconds> <size>
      sends `size`-byte messages whose first 8 bytes are time.time_ns() at send, paced in 1 ms steps
      at the given rate (linger.ms=1, acks=1), after 1 s of warm-up messages stamped 0, then flushes;
      prints the rate reached as JSON.
Both processes run on this machine, so their clocks are the same clock.
"""
import json
import struct
import sys
import time

from confluent_kafka import Consumer, Producer, TopicPartition


def consume(bootstrap, topic, count, timeout_s):
    c = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": "latency-bench",
        "enable.auto.commit": False,
        "fetch.wait.max.ms": 100,
        "fetch.min.bytes": 1,
    })
    c.assign([TopicPartition(topic, 0, 0)])
    print("ready", flush=True)
    latencies = []
    deadline = time.monotonic() + timeout_s
    while len(latencies) < count and time.monotonic() < deadline:
        # poll returns as soon as a message is there (consume(n) would wait for n or its timeout).
        m = c.poll(0.1)
        if m is None or m.error():
            continue
        now = time.time_ns()
        sent = struct.unpack_from(">q", m.value(), 0)[0]
        if sent > 0:  # 0: a warm-up message
            latencies.append(now - sent)
    c.close()
    kept = sorted(latencies[len(latencies) // 10:])
    pick = lambda q: kept[min(len(kept) - 1, int(q * len(kept)))] / 1e6 if kept else -1
    print(json.dumps({"received": len(latencies), "p50": pick(0.5), "p99": pick(0.99),
                      "p999": pick(0.999), "max": pick(1.0)}), flush=True)


def produce(bootstrap, topic, rate, seconds, size):
    p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 1, "acks": 1,
                  "queue.buffering.max.messages": 1000000, "queue.buffering.max.kbytes": 1048576})
    pad = b"x" * (size - 8)
    # Warm-up (not measured): connections and metadata settled, the consumer seen to receive.
    warm_until = time.monotonic() + 1.0
    while time.monotonic() < warm_until:
        p.produce(topic, struct.pack(">q", 0) + pad, partition=0)
        p.poll(0)
        time.sleep(0.01)
    p.flush(10)
    start = time.monotonic()
    sent = 0
    total = int(rate * seconds)
    while sent < total:
        due = min(total, int((time.monotonic() - start) * rate))
        while sent < due:
            p.produce(topic, struct.pack(">q", time.time_ns()) + pad, partition=0)
            sent += 1
        p.poll(0)
        if sent >= due:
            time.sleep(0.001)
    p.flush(60)
    elapsed = time.monotonic() - start
    print(json.dumps({"sent": sent, "rate": sent / elapsed}), flush=True)


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "consume":
        consume(sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5]))
    else:
        produce(sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6]))
