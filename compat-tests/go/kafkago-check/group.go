// Consumer group checks: two Readers with the same GroupID share a topic's partitions (JoinGroup
// v1, SyncGroup v0, the range balancer), read every message once and commit (OffsetCommit v2);
// a Reader started later in the group resumes after the commits and gets only new messages.
package main

import (
	"context"
	"sync"
	"time"

	kafka "github.com/segmentio/kafka-go"
)

func groupReader(bootstrap []string, topic, group string) *kafka.Reader {
	return kafka.NewReader(kafka.ReaderConfig{
		Brokers:           bootstrap,
		GroupID:           group,
		Topic:             topic,
		MinBytes:          1,
		MaxBytes:          1 << 20,
		MaxWait:           200 * time.Millisecond,
		HeartbeatInterval: 500 * time.Millisecond,
		SessionTimeout:    10 * time.Second,
		RebalanceTimeout:  5 * time.Second,
	})
}

// readInto reads with r, committing each message, until total reaches want or ctx ends.
func readInto(ctx context.Context, r *kafka.Reader, mu *sync.Mutex, seen map[string]int, total *int, want int) {
	for {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			return
		}
		if err := r.CommitMessages(ctx, m); err != nil {
			return
		}
		mu.Lock()
		seen[string(m.Key)]++
		*total++
		done := *total >= want
		mu.Unlock()
		if done {
			return
		}
	}
}

func runGroup(ctx context.Context, bootstrap []string, topic string) {
	group := topic + "-group"
	if err := createTopic(bootstrap, topic, 4, 1); err != nil {
		fatal("create %s: %v", topic, err)
	}
	if _, err := waitForLeaders(bootstrap, topic, 4); err != nil {
		fatal("%v", err)
	}
	const n = 80
	if err := writeAll(ctx, bootstrap, topic, nil, 0, n); err != nil {
		fatal("write: %v", err)
	}
	a, b := groupReader(bootstrap, topic, group), groupReader(bootstrap, topic, group)
	var mu sync.Mutex
	seen := map[string]int{}
	total := 0
	rctx, cancel := context.WithTimeout(ctx, 40*time.Second)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); readInto(rctx, a, &mu, seen, &total, n) }()
	go func() { defer wg.Done(); readInto(rctx, b, &mu, seen, &total, n) }()
	// Both readers stop when together they have all n: the one that did not reach n stops at the deadline.
	deadline := time.Now().Add(40 * time.Second)
	for time.Now().Before(deadline) {
		mu.Lock()
		done := total >= n
		mu.Unlock()
		if done {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	name := "group: two readers in a group read all 80 messages"
	if len(seen) != n {
		notOk(name, "%d distinct of %d (%d reads)", len(seen), n, total)
	} else {
		ok(name)
	}
	check("group: first reader closes (leaves the group)", a.Close())
	check("group: second reader closes (leaves the group)", b.Close())

	if err := writeAll(ctx, bootstrap, topic, nil, n, 10); err != nil {
		fatal("write: %v", err)
	}
	c := groupReader(bootstrap, topic, group)
	defer c.Close()
	name = "group: a new reader resumes from the commits and reads only the 10 new messages"
	var later []string
	for len(later) < 10 {
		mctx, mcancel := context.WithTimeout(ctx, 30*time.Second)
		m, err := c.FetchMessage(mctx)
		mcancel()
		if err != nil {
			break
		}
		later = append(later, string(m.Key))
		c.CommitMessages(ctx, m)
	}
	fresh := map[string]bool{}
	for i := n; i < n+10; i++ {
		fresh[key(i)] = true
	}
	bad := len(later) != 10
	for _, k := range later {
		if !fresh[k] {
			bad = true
		}
	}
	if bad {
		notOk(name, "read %v", later)
	} else {
		ok(name)
	}
}
