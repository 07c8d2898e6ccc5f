// Writer and Reader checks: a Writer with the hash balancer spreads keyed messages over 3
// partitions, with each codec kafka-go 0.2.1 has; a partition Reader per partition reads them back.
package main

import (
	"context"
	"fmt"
	"time"

	kafka "github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/gzip"
	"github.com/segmentio/kafka-go/lz4"
	"github.com/segmentio/kafka-go/snappy"
)

func writeAll(ctx context.Context, bootstrap []string, topic string, codec kafka.CompressionCodec, from, n int) error {
	w := kafka.NewWriter(kafka.WriterConfig{
		Brokers:          bootstrap,
		Topic:            topic,
		Balancer:         &kafka.Hash{},
		BatchSize:        20,
		BatchTimeout:     10 * time.Millisecond,
		RequiredAcks:     -1,
		MaxAttempts:      20,
		CompressionCodec: codec,
	})
	defer w.Close()
	msgs := make([]kafka.Message, 0, n)
	for i := from; i < from+n; i++ {
		msgs = append(msgs, kafka.Message{Key: []byte(key(i)), Value: []byte(value(i))})
	}
	return w.WriteMessages(ctx, msgs...)
}

// readPartition reads from the first offset of a partition until it has its high watermark's worth.
func readPartition(ctx context.Context, bootstrap []string, topic string, partition int) ([]kafka.Message, error) {
	conn, err := kafka.DialLeader(ctx, "tcp", bootstrap[0], topic, partition)
	if err != nil {
		return nil, err
	}
	last, err := conn.ReadLastOffset()
	conn.Close()
	if err != nil {
		return nil, err
	}
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: bootstrap, Topic: topic, Partition: partition, MinBytes: 1, MaxBytes: 1 << 20, MaxWait: 200 * time.Millisecond})
	defer r.Close()
	var got []kafka.Message
	for int64(len(got)) < last {
		rctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		m, err := r.ReadMessage(rctx)
		cancel()
		if err != nil {
			return got, fmt.Errorf("after %d of %d: %v", len(got), last, err)
		}
		got = append(got, m)
	}
	return got, nil
}

func runWriter(ctx context.Context, bootstrap []string, topic string) {
	codecs := []struct {
		name  string
		codec kafka.CompressionCodec
	}{{"none", nil}, {"gzip", gzip.NewCompressionCodec()}, {"snappy", snappy.NewCompressionCodec()}, {"lz4", lz4.NewCompressionCodec()}}
	for _, c := range codecs {
		t := topic + "-" + c.name
		if err := createTopic(bootstrap, t, 3, 1); err != nil {
			fatal("create %s: %v", t, err)
		}
		if _, err := waitForLeaders(bootstrap, t, 3); err != nil {
			fatal("%v", err)
		}
		name := fmt.Sprintf("writer (%s): 90 keyed messages over 3 partitions, read back by partition readers", c.name)
		if err := writeAll(ctx, bootstrap, t, c.codec, 0, 90); err != nil {
			notOk(name, "write: %v", err)
			continue
		}
		seen := map[string]string{}
		used := 0
		failed := false
		for p := 0; p < 3; p++ {
			got, err := readPartition(ctx, bootstrap, t, p)
			if err != nil {
				notOk(name, "partition %d: %v", p, err)
				failed = true
				break
			}
			if len(got) > 0 {
				used++
			}
			for i, m := range got {
				if m.Offset != int64(i) || m.Partition != p {
					notOk(name, "partition %d message %d has offset %d", p, i, m.Offset)
					failed = true
					break
				}
				seen[string(m.Key)] = string(m.Value)
			}
		}
		if failed {
			continue
		}
		if len(seen) != 90 || used < 2 {
			notOk(name, "%d distinct keys over %d partitions", len(seen), used)
			continue
		}
		for i := 0; i < 90; i++ {
			if seen[key(i)] != value(i) {
				notOk(name, "key %s has value %q", key(i), seen[key(i)])
				failed = true
				break
			}
		}
		if !failed {
			ok(name)
		}
	}
}
