// Cluster checks, run in phases by the tap test around a leader kill -9:
//
//	failover <bootstrap> create <topic>          a topic with 1 partition and 3 replicas
//	failover <bootstrap> leader <topic>          prints "leader <id>" of partition 0
//	failover <bootstrap> produce <topic> <from> <count>   acks=all, 2.2.0, retried through failover
//	failover <bootstrap> consume <topic> <n>     reads 0..n-1 with 0.10.2.0 (magic 1) and 2.2.0
package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/Shopify/sarama"
)

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		fatal("not a number: %s", s)
	}
	return n
}

func runFailover(bootstrap []string, phase string, args []string) {
	if len(args) < 1 {
		fatal("failover %s: missing topic", phase)
	}
	topic := args[0]
	switch phase {
	case "create":
		admin := setupAdmin(bootstrap)
		defer admin.Close()
		check("cluster: create a topic with 3 replicas", admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: 1, ReplicationFactor: 3,
			ConfigEntries: map[string]*string{"min.insync.replicas": str("2")}}, false))
	case "leader":
		client, err := sarama.NewClient(bootstrap, newConfig("2.2.0"))
		if err != nil {
			fatal("client: %v", err)
		}
		defer client.Close()
		leader, err := client.Leader(topic, 0)
		if err != nil {
			fatal("leader: %v", err)
		}
		fmt.Printf("leader %d\n", leader.ID())
	case "produce":
		if len(args) < 3 {
			fatal("failover produce: want <topic> <from> <count>")
		}
		from, count := atoi(args[1]), atoi(args[2])
		config := newConfig("2.2.0")
		config.Producer.RequiredAcks = sarama.WaitForAll
		config.Producer.Retry.Max = 100
		config.Producer.Retry.Backoff = 200 * time.Millisecond
		config.Metadata.Retry.Max = 100
		config.Metadata.Retry.Backoff = 200 * time.Millisecond
		name := fmt.Sprintf("cluster: produce %d..%d with acks=all", from, from+count-1)
		producer, err := sarama.NewSyncProducer(bootstrap, config)
		if err != nil {
			notOk(name, "producer: %v", err)
			return
		}
		defer producer.Close()
		for i := from; i < from+count; i++ {
			if _, _, err := producer.SendMessage(message(topic, topic, i, true)); err != nil {
				notOk(name, "send %d: %v", i, err)
				return
			}
		}
		ok(name)
	case "consume":
		if len(args) < 2 {
			fatal("failover consume: want <topic> <n>")
		}
		n := atoi(args[1])
		for _, v := range []string{"0.10.2.0", "2.2.0"} {
			name := fmt.Sprintf("cluster: %s reads all %d acknowledged messages in order", v, n)
			config := newConfig(v)
			config.Metadata.Retry.Max = 100
			got, err := consume(bootstrap, config, topic, 0, sarama.OffsetOldest, n)
			if err == nil {
				err = compare(got, topic, 0, v == "2.2.0", true)
			}
			check(name, err)
		}
	default:
		fatal("unknown failover phase %s", phase)
	}
}
