// Conn checks: the low-level connection API of kafka-go 0.2.1.
package main

import (
	"context"
	"time"

	kafka "github.com/segmentio/kafka-go"
)

func runConn(ctx context.Context, bootstrap []string, topic string) {
	check("conn: CreateTopics with 3 partitions", createTopic(bootstrap, topic, 3, 1))
	// kafka-go's CreateTopics is idempotent: it takes TOPIC_ALREADY_EXISTS as success.
	check("conn: CreateTopics of an existing topic is a no-op", createTopic(bootstrap, topic, 3, 1))
	parts, err := waitForLeaders(bootstrap, topic, 3)
	if err != nil {
		notOk("conn: ReadPartitions", "%v", err)
		return
	}
	ok("conn: ReadPartitions lists 3 partitions with leaders")
	conn, err := kafka.DialLeader(ctx, "tcp", bootstrap[0], topic, 0)
	if err != nil {
		notOk("conn: DialLeader", "%v", err)
		return
	}
	defer conn.Close()
	_ = parts
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	msgs := make([]kafka.Message, 10)
	for i := range msgs {
		msgs[i] = kafka.Message{Key: []byte(key(i)), Value: []byte(value(i)), Time: time.Unix(1700000000+int64(i), 0)}
	}
	_, err = conn.WriteMessages(msgs...)
	check("conn: WriteMessages", err)
	first, last, err := conn.ReadOffsets()
	if err != nil || first != 0 || last != 10 {
		notOk("conn: ReadOffsets is 0..10", "%d..%d %v", first, last, err)
	} else {
		ok("conn: ReadOffsets is 0..10")
	}
	at, err := conn.ReadOffset(time.Unix(1700000005, 0))
	if err != nil || at != 5 {
		notOk("conn: ReadOffset by time finds offset 5", "%d %v", at, err)
	} else {
		ok("conn: ReadOffset by time finds offset 5")
	}
	if _, err := conn.Seek(5, kafka.SeekAbsolute); err != nil {
		notOk("conn: Seek and ReadBatch from offset 5", "seek: %v", err)
		return
	}
	batch := conn.ReadBatch(1, 1<<20)
	var got []kafka.Message
	for len(got) < 5 {
		m, err := batch.ReadMessage()
		if err != nil {
			break
		}
		got = append(got, m)
	}
	batch.Close()
	name := "conn: Seek and ReadBatch from offset 5"
	if len(got) != 5 {
		notOk(name, "read %d messages", len(got))
	} else {
		bad := false
		for i, m := range got {
			if m.Offset != int64(5+i) || string(m.Key) != key(5+i) || string(m.Value) != value(5+i) || m.Time.Unix() != 1700000005+int64(i) {
				notOk(name, "message %d: offset %d %q %v", i, m.Offset, m.Key, m.Time)
				bad = true
				break
			}
		}
		if !bad {
			ok(name)
		}
	}
	// Seek checks the offset against ListOffsets (earliest and latest) before any fetch.
	if _, err := conn.Seek(11, kafka.SeekAbsolute); err != kafka.OffsetOutOfRange {
		notOk("conn: Seek past the end is OffsetOutOfRange", "%v", err)
	} else {
		ok("conn: Seek past the end is OffsetOutOfRange")
	}
	ctrl, err := kafka.Dial("tcp", bootstrap[0])
	if err != nil {
		notOk("conn: DeleteTopics", "%v", err)
		return
	}
	defer ctrl.Close()
	check("conn: DeleteTopics", ctrl.DeleteTopics(topic))
	if err := ctrl.DeleteTopics(topic); err != kafka.UnknownTopicOrPartition {
		notOk("conn: DeleteTopics of a missing topic is UnknownTopicOrPartition", "%v", err)
	} else {
		ok("conn: DeleteTopics of a missing topic is UnknownTopicOrPartition")
	}
}
