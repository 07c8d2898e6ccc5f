// Format conversion checks: records written in one message format are read by a consumer
// speaking another. Version 2.2.0 writes record batches (v2, with headers); 0.8.2.0 reads
// them with Fetch v0 (magic 0), 0.10.2.0 with Fetch v3 (magic 1), both compressed and not,
// from the start and from the middle of a compressed batch. 0.8.2.0 writes magic 0 message
// sets with Produce v0, read by 2.2.0 with Fetch v4.
package main

import (
	"fmt"

	"github.com/Shopify/sarama"
)

func produceAll(bootstrap []string, version string, codec sarama.CompressionCodec, topic string, n int, headers bool) error {
	config := newConfig(version)
	config.Producer.Compression = codec
	producer, err := sarama.NewSyncProducer(bootstrap, config)
	if err != nil {
		return err
	}
	defer producer.Close()
	batch := make([]*sarama.ProducerMessage, 0, n)
	for i := 0; i < n; i++ {
		batch = append(batch, message(topic, topic, i, headers))
	}
	return producer.SendMessages(batch)
}

func readBack(bootstrap []string, name, version, topic string, from int64, n int, timestamps bool) {
	got, err := consume(bootstrap, newConfig(version), topic, 0, from, n-int(from))
	if err != nil {
		notOk(name, "%v", err)
		return
	}
	for i, m := range got {
		want := int(from) + i
		if m.Offset != int64(want) || string(m.Key) != key(want) || string(m.Value) != value(topic, want) {
			notOk(name, "message %d is offset %d %q=%q", i, m.Offset, m.Key, m.Value)
			return
		}
		if len(m.Headers) != 0 {
			notOk(name, "message %d has headers on an old format", i)
			return
		}
		if timestamps && m.Timestamp.UnixNano()/1e6 != baseTimestamp+int64(want) {
			notOk(name, "message %d has timestamp %d", i, m.Timestamp.UnixNano()/1e6)
			return
		}
	}
	ok(name)
}

func runConvert(bootstrap []string) {
	admin := setupAdmin(bootstrap)
	defer admin.Close()
	const n = 15
	for _, c := range codecs[:4] {
		topic := "convert-v2-" + c.name
		createTopic(admin, topic, 1, 1)
		if err := produceAll(bootstrap, "2.2.0", c.codec, topic, n, true); err != nil {
			notOk("2.2.0 produce "+c.name, "%v", err)
			continue
		}
		for _, from := range []int64{0, 7} {
			if c.codec != sarama.CompressionLZ4 {
				// Kafka 0.8 had no lz4 framing that matches the later one; sarama refuses it before 0.10.
				readBack(bootstrap, fmt.Sprintf("batches (%s) read with Fetch v0 from offset %d", c.name, from), "0.8.2.0", topic, from, n, false)
			}
			readBack(bootstrap, fmt.Sprintf("batches (%s) read with Fetch v3 from offset %d", c.name, from), "0.10.2.0", topic, from, n, true)
		}
	}
	for _, c := range codecs[:3] {
		topic := "convert-v0-" + c.name
		createTopic(admin, topic, 1, 1)
		if err := produceAll(bootstrap, "0.8.2.0", c.codec, topic, n, false); err != nil {
			notOk("0.8.2.0 produce "+c.name, "%v", err)
			continue
		}
		readBack(bootstrap, fmt.Sprintf("magic 0 (%s) read with Fetch v4", c.name), "2.2.0", topic, 0, n, false)
		readBack(bootstrap, fmt.Sprintf("magic 0 (%s) read with Fetch v0 from offset 4", c.name), "0.8.2.0", topic, 4, n, false)
	}
}
