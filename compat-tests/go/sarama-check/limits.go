// Fetch size limits and broker timestamps:
//   - a message larger than the partition's fetch size comes whole with Fetch v3+ (KIP-74).
//   - a topic with compression.type=zstd is refused to Fetch below v10 (UNSUPPORTED_COMPRESSION_TYPE).
//   - message.timestamp.type=LogAppendTime: Produce v2+ answers the broker's append time, which
//     sarama puts on the acknowledged message; consumers (Fetch v3 magic 1, Fetch v4 batches) read
//     that time. With CreateTime the answer is -1 and the producer's timestamp stays.
package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/Shopify/sarama"
)

func limitsConsumer(bootstrap []string, version string, def, max int32, topic string) (*sarama.ConsumerMessage, error) {
	config := newConfig(version)
	config.Consumer.Fetch.Default = def
	config.Consumer.Fetch.Max = max
	consumer, err := sarama.NewConsumer(bootstrap, config)
	if err != nil {
		return nil, err
	}
	defer consumer.Close()
	pc, err := consumer.ConsumePartition(topic, 0, sarama.OffsetOldest)
	if err != nil {
		return nil, err
	}
	defer pc.Close()
	select {
	case m := <-pc.Messages():
		return m, nil
	case e := <-pc.Errors():
		return nil, e.Err
	case <-time.After(15 * time.Second):
		return nil, fmt.Errorf("nothing within 15 s")
	}
}

func runLimits(bootstrap []string) {
	admin := setupAdmin(bootstrap)
	defer admin.Close()
	topic := "limits-big"
	createTopic(admin, topic, 1, 1)
	big := strings.Repeat("b", 3000)
	producer, err := sarama.NewSyncProducer(bootstrap, newConfig("0.10.2.0"))
	if err != nil {
		fatal("producer: %v", err)
	}
	if _, _, err := producer.SendMessage(&sarama.ProducerMessage{Topic: topic, Value: sarama.StringEncoder(big)}); err != nil {
		fatal("send: %v", err)
	}
	producer.Close()

	// Not checked: Fetch v2 (no KIP-74) with a fetch size below the message. Kafka 3.9 cuts the
	// stored batch at the limit and down-converting a cut batch gives no bytes
	// (LazyDownConversionRecords), so sarama sees an empty answer and asks again forever, on
	// Kafka as here; it never gets the partial message that would make it double its fetch size.
	name := "Fetch v3 (KIP-74): the first message comes whole over the partition limit"
	if m, err := limitsConsumer(bootstrap, "0.10.2.0", 500, 1000, topic); err != nil || string(m.Value) != big {
		notOk(name, "%v", err)
	} else {
		ok(name)
	}
	logAppendTime(bootstrap, admin)
	zstdTopic(bootstrap, admin)
}

// zstdTopic: a topic with compression.type=zstd stores what it is sent as zstd; Kafka refuses it
// to every Fetch below v10 (sarama 1.22 sends v4 at most) with UNSUPPORTED_COMPRESSION_TYPE.
func zstdTopic(bootstrap []string, admin sarama.ClusterAdmin) {
	topic := "limits-zstd-topic"
	err := admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: 1, ReplicationFactor: 1,
		ConfigEntries: map[string]*string{"compression.type": str("zstd")}}, false)
	if err != nil {
		fatal("create %s: %v", topic, err)
	}
	if err := produceAll(bootstrap, "2.2.0", sarama.CompressionGZIP, topic, 3, true); err != nil {
		fatal("produce to %s: %v", topic, err)
	}
	for _, version := range []string{"0.10.2.0", "2.2.0"} {
		name := version + " a compression.type=zstd topic is UNSUPPORTED_COMPRESSION_TYPE to Fetch below v10"
		_, err := consume(bootstrap, newConfig(version), topic, 0, sarama.OffsetOldest, 1)
		if err == nil {
			notOk(name, "read")
			continue
		}
		if ce, isConsumerError := err.(*sarama.ConsumerError); isConsumerError {
			err = ce.Err
		}
		if err != sarama.ErrUnsupportedCompressionType {
			notOk(name, "%v", err)
			continue
		}
		ok(name)
	}
}

func logAppendTime(bootstrap []string, admin sarama.ClusterAdmin) {
	topic := "limits-log-append-time"
	err := admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: 1, ReplicationFactor: 1,
		ConfigEntries: map[string]*string{"message.timestamp.type": str("LogAppendTime")}}, false)
	if err != nil {
		fatal("create %s: %v", topic, err)
	}
	createTopic(admin, "limits-create-time", 1, 1)
	for i, version := range []string{"0.10.2.0", "2.2.0"} {
		name := version + " LogAppendTime: the acknowledgement carries the broker's time"
		producer, err := sarama.NewSyncProducer(bootstrap, newConfig(version))
		if err != nil {
			fatal("producer: %v", err)
		}
		before := time.Now().Add(-time.Second)
		m := message(topic, topic, i, version == "2.2.0")
		_, offset, err := producer.SendMessage(m)
		c := message("limits-create-time", "limits-create-time", i, false)
		_, _, errC := producer.SendMessage(c)
		producer.Close()
		if err != nil || errC != nil {
			notOk(name, "send: %v %v", err, errC)
			continue
		}
		if m.Timestamp.Before(before) || m.Timestamp.After(time.Now().Add(time.Second)) {
			notOk(name, "acknowledged timestamp %v", m.Timestamp)
		} else {
			ok(name)
		}
		name = version + " CreateTime: the acknowledgement leaves the producer's timestamp"
		if c.Timestamp.UnixNano()/1e6 != baseTimestamp+int64(i) {
			notOk(name, "timestamp became %v", c.Timestamp)
		} else {
			ok(name)
		}
		for _, reader := range []string{"0.10.2.0", "2.2.0"} {
			name = fmt.Sprintf("%s LogAppendTime: a %s consumer reads the append time", version, reader)
			got, err := consume(bootstrap, newConfig(reader), topic, 0, offset, 1)
			if err != nil {
				notOk(name, "%v", err)
			} else if got[0].Timestamp.UnixNano()/1e6 != m.Timestamp.UnixNano()/1e6 {
				notOk(name, "read %v, acknowledged %v", got[0].Timestamp, m.Timestamp)
			} else {
				ok(name)
			}
		}
	}
}
