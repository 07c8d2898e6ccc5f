// Consumer group checks: a ConsumerGroup member takes every partition, a second member joins
// and the partitions are split between them (a rebalance through JoinGroup/SyncGroup), the
// messages produced then are each consumed once and marked; after both leave, the committed
// offsets are what was consumed. DescribeConsumerGroups and ListConsumerGroups are checked
// while both members are in the group. OffsetManager: commit, then fetch in a new manager.
package main

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/Shopify/sarama"
)

// member is one ConsumerGroup member: it records its claims and what it consumed.
type member struct {
	mu       sync.Mutex
	claims   []int32
	sessions int
	consumed map[string]int
}

func (m *member) Setup(s sarama.ConsumerGroupSession) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var claims []int32
	for _, ps := range s.Claims() {
		claims = append(claims, ps...)
	}
	sort.Slice(claims, func(i, j int) bool { return claims[i] < claims[j] })
	m.claims = claims
	m.sessions++
	return nil
}

func (m *member) Cleanup(sarama.ConsumerGroupSession) error { return nil }

func (m *member) ConsumeClaim(s sarama.ConsumerGroupSession, c sarama.ConsumerGroupClaim) error {
	for msg := range c.Messages() {
		m.mu.Lock()
		m.consumed[string(msg.Value)]++
		m.mu.Unlock()
		s.MarkMessage(msg, "")
	}
	return nil
}

func (m *member) state() ([]int32, int, int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	total := 0
	for _, c := range m.consumed {
		total += c
	}
	return append([]int32(nil), m.claims...), m.sessions, total
}

// runMember consumes in a loop (Consume returns at each rebalance) until ctx ends.
func runMember(ctx context.Context, group sarama.ConsumerGroup, topic string, m *member, errs chan<- error) {
	for ctx.Err() == nil {
		if err := group.Consume(ctx, []string{topic}, m); err != nil && ctx.Err() == nil {
			errs <- err
			return
		}
	}
}

// waitFor polls cond every 50 ms for up to 30 s.
func waitFor(cond func() bool) bool {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

func groupConfig(version string) *sarama.Config {
	c := newConfig(version)
	c.Consumer.Offsets.Initial = sarama.OffsetOldest
	c.Consumer.Offsets.CommitInterval = 100 * time.Millisecond
	c.Consumer.Group.Heartbeat.Interval = 300 * time.Millisecond
	c.Consumer.Group.Session.Timeout = 10 * time.Second
	c.Consumer.Group.Rebalance.Timeout = 10 * time.Second
	c.Consumer.Group.Rebalance.Strategy = sarama.BalanceStrategyRange
	return c
}

func runGroup(bootstrap []string, version string) {
	admin := setupAdmin(bootstrap)
	defer admin.Close()
	topic, groupID := "group-"+label(version), "sarama-group-"+label(version)
	createTopic(admin, topic, 4, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errs := make(chan error, 2)
	a := &member{consumed: map[string]int{}}
	b := &member{consumed: map[string]int{}}
	groupA, err := sarama.NewConsumerGroup(bootstrap, groupID, groupConfig(version))
	if err != nil {
		fatal("consumer group: %v", err)
	}
	go runMember(ctx, groupA, topic, a, errs)
	name := version + " group: the first member is assigned all 4 partitions"
	if !waitFor(func() bool { c, _, _ := a.state(); return len(c) == 4 }) {
		c, _, _ := a.state()
		notOk(name, "claims %v", c)
		return
	}
	ok(name)
	groupB, err := sarama.NewConsumerGroup(bootstrap, groupID, groupConfig(version))
	if err != nil {
		fatal("consumer group: %v", err)
	}
	go runMember(ctx, groupB, topic, b, errs)
	name = version + " group: a second member joins and the partitions are split 2/2"
	split := func() bool {
		ca, _, _ := a.state()
		cb, _, _ := b.state()
		return len(ca) == 2 && len(cb) == 2 && ca[0] != cb[0]
	}
	if !waitFor(split) {
		ca, sa, _ := a.state()
		cb, sb, _ := b.state()
		notOk(name, "claims %v (%d sessions) and %v (%d sessions)", ca, sa, cb, sb)
		return
	}
	ok(name)
	describeGroup(admin, version, groupID)
	producer, err := sarama.NewSyncProducer(bootstrap, newConfig(version))
	if err != nil {
		fatal("producer: %v", err)
	}
	const n = 80
	for i := 0; i < n; i++ {
		m := &sarama.ProducerMessage{Topic: topic, Key: sarama.StringEncoder(key(i)), Value: sarama.StringEncoder(fmt.Sprintf("g%d", i))}
		if _, _, err := producer.SendMessage(m); err != nil {
			fatal("produce: %v", err)
		}
	}
	producer.Close()
	name = version + " group: every message consumed once, by both members"
	done := func() bool { _, _, ta := a.state(); _, _, tb := b.state(); return ta+tb >= n }
	if !waitFor(done) {
		_, _, ta := a.state()
		_, _, tb := b.state()
		notOk(name, "%d + %d of %d", ta, tb, n)
	} else {
		_, _, ta := a.state()
		_, _, tb := b.state()
		if ta+tb != n || ta == 0 || tb == 0 {
			notOk(name, "%d + %d messages for %d produced", ta, tb, n)
		} else {
			ok(name)
		}
	}
	select {
	case err := <-errs:
		notOk(version+" group: Consume", "%v", err)
	default:
	}
	cancel()
	check(version+" group: first member closes", groupA.Close())
	check(version+" group: second member closes", groupB.Close())
	committedOffsets(admin, version, groupID, topic, n)
}

func describeGroup(admin sarama.ClusterAdmin, version, groupID string) {
	name := version + " admin: ListConsumerGroups lists the group as consumer"
	groups, err := admin.ListConsumerGroups()
	if err != nil {
		notOk(name, "%v", err)
	} else if groups[groupID] != "consumer" {
		notOk(name, "%v", groups)
	} else {
		ok(name)
	}
	name = version + " admin: DescribeConsumerGroups shows two members, Stable"
	described, err := admin.DescribeConsumerGroups([]string{groupID})
	if err != nil {
		notOk(name, "%v", err)
		return
	}
	if len(described) != 1 {
		notOk(name, "%d groups", len(described))
		return
	}
	d := described[0]
	if d.Err != sarama.ErrNoError || d.State != "Stable" || d.ProtocolType != "consumer" || d.Protocol != "range" || len(d.Members) != 2 {
		notOk(name, "err %v state %q type %q protocol %q members %d", d.Err, d.State, d.ProtocolType, d.Protocol, len(d.Members))
		return
	}
	for id, m := range d.Members {
		assignment, err := m.GetMemberAssignment()
		if err != nil || m.ClientId != "sarama-check" || len(assignment.Topics) != 1 {
			notOk(name, "member %s: client %q assignment %v %v", id, m.ClientId, assignment, err)
			return
		}
	}
	ok(name)
}

func committedOffsets(admin sarama.ClusterAdmin, version, groupID, topic string, n int) {
	name := version + " group: committed offsets add up to what was consumed"
	res, err := admin.ListConsumerGroupOffsets(groupID, map[string][]int32{topic: {0, 1, 2, 3}})
	if err != nil {
		notOk(name, "%v", err)
		return
	}
	var total int64
	for p := int32(0); p < 4; p++ {
		block := res.GetBlock(topic, p)
		if block == nil || block.Err != sarama.ErrNoError {
			notOk(name, "partition %d: %v", p, block)
			return
		}
		total += block.Offset
	}
	if total != int64(n) {
		notOk(name, "committed %d, consumed %d", total, n)
		return
	}
	ok(name)
}

func runOffsets(bootstrap []string, version string) {
	admin := setupAdmin(bootstrap)
	defer admin.Close()
	topic, groupID := "offsets-"+label(version), "sarama-offsets-"+label(version)
	createTopic(admin, topic, 2, 1)
	client, err := sarama.NewClient(bootstrap, newConfig(version))
	if err != nil {
		fatal("client: %v", err)
	}
	defer client.Close()
	name := version + " offset manager: no committed offset gives the initial offset"
	om, err := sarama.NewOffsetManagerFromClient(groupID, client)
	if err != nil {
		fatal("offset manager: %v", err)
	}
	pom, err := om.ManagePartition(topic, 1)
	if err != nil {
		notOk(name, "%v", err)
		return
	}
	if next, meta := pom.NextOffset(); next != sarama.OffsetNewest || meta != "" {
		notOk(name, "next %d %q", next, meta)
	} else {
		ok(name)
	}
	pom.MarkOffset(42, "meta-"+version)
	check(version+" offset manager: partition manager closes", pom.Close())
	check(version+" offset manager: closes (commits what was marked)", om.Close())
	name = version + " offset manager: a new manager reads back the commit"
	om2, err := sarama.NewOffsetManagerFromClient(groupID, client)
	if err != nil {
		fatal("offset manager: %v", err)
	}
	defer om2.Close()
	pom2, err := om2.ManagePartition(topic, 1)
	if err != nil {
		notOk(name, "%v", err)
		return
	}
	defer pom2.Close()
	if next, meta := pom2.NextOffset(); next != 42 || meta != "meta-"+version {
		notOk(name, "next %d %q", next, meta)
	} else {
		ok(name)
	}
}
