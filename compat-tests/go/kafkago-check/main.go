// Command kafkago-check drives Debian's segmentio/kafka-go 0.2.1 against a Kafka-compatible
// broker as an application would, printing one line per check ("ok <name>" or
// "not ok <name> -- <why>") and exiting 1 when a check failed. Used by compat-tests/go/*.test.ts.
//
// Usage: kafkago-check <scenario> <bootstrap> [args...]
//
//	conn <bootstrap> <topic>     Conn: CreateTopics, ReadPartitions, write, offsets, Seek, batches, DeleteTopics
//	writer <bootstrap> <topic>   Writer (none, gzip, snappy, lz4) over 3 partitions; a Reader per partition
//	group <bootstrap> <topic>    Readers with a GroupID: two members share the partitions, commits resume
//
// kafka-go 0.2.1 speaks Produce v2 and Fetch v2 (message format v1), Metadata v1, ListOffsets v1,
// CreateTopics v0, DeleteTopics v0, JoinGroup v1, SyncGroup v0, OffsetCommit v2, OffsetFetch v1.
package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	kafka "github.com/segmentio/kafka-go"
)

var failures int

func ok(name string) { fmt.Printf("ok %s\n", name) }

func notOk(name string, format string, args ...interface{}) {
	failures++
	fmt.Printf("not ok %s -- %s\n", name, strings.ReplaceAll(fmt.Sprintf(format, args...), "\n", " "))
}

func check(name string, err error) bool {
	if err != nil {
		notOk(name, "%v", err)
		return false
	}
	ok(name)
	return true
}

func fatal(format string, args ...interface{}) {
	fmt.Printf("not ok setup -- %s\n", fmt.Sprintf(format, args...))
	os.Exit(1)
}

func key(i int) string   { return fmt.Sprintf("k%d", i) }
func value(i int) string { return fmt.Sprintf("v%d-%s", i, strings.Repeat("y", i%5*40)) }

// createTopic creates a topic through the controller, retrying while metadata settles.
func createTopic(bootstrap []string, topic string, partitions, replication int) error {
	conn, err := kafka.Dial("tcp", bootstrap[0])
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.CreateTopics(kafka.TopicConfig{Topic: topic, NumPartitions: partitions, ReplicationFactor: replication})
}

// waitForLeaders polls ReadPartitions until every partition of the topic has a leader.
func waitForLeaders(bootstrap []string, topic string, partitions int) ([]kafka.Partition, error) {
	deadline := time.Now().Add(20 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		conn, err := kafka.Dial("tcp", bootstrap[0])
		if err == nil {
			parts, err := conn.ReadPartitions(topic)
			conn.Close()
			if err == nil && len(parts) == partitions {
				return parts, nil
			}
			last = err
		} else {
			last = err
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil, fmt.Errorf("partitions of %s never had leaders: %v", topic, last)
}

func main() {
	if len(os.Args) < 4 {
		fatal("usage: kafkago-check <scenario> <bootstrap> <topic>")
	}
	scenario, bootstrap, topic := os.Args[1], strings.Split(os.Args[2], ","), os.Args[3]
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	switch scenario {
	case "conn":
		runConn(ctx, bootstrap, topic)
	case "writer":
		runWriter(ctx, bootstrap, topic)
	case "group":
		runGroup(ctx, bootstrap, topic)
	default:
		fatal("unknown scenario %s", scenario)
	}
	if failures > 0 {
		os.Exit(1)
	}
}
