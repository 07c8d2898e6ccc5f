// ClusterAdmin checks: topics (create, validate-only, refusals, list, describe, partitions,
// delete), configs (describe and alter, topic and broker), DeleteRecords, DescribeCluster and
// ACLs (create, list, delete; the broker must run an authorizer). Each answer and error is the
// one Kafka 3.9 gives for the request versions sarama 1.22 sends.
package main

import (
	"strings"

	"github.com/Shopify/sarama"
)

func str(s string) *string { return &s }

// wantKError checks that err is (or wraps, as sarama's TopicError does) the Kafka error code want.
func wantKError(name string, err error, want sarama.KError) {
	var got sarama.KError = sarama.ErrNoError
	switch e := err.(type) {
	case nil:
	case sarama.KError:
		got = e
	case *sarama.TopicError:
		got = e.Err
	case *sarama.TopicPartitionError:
		got = e.Err
	default:
		notOk(name, "error %v (%T), want %v", err, err, want)
		return
	}
	if got != want {
		notOk(name, "error %v, want %v", got, want)
		return
	}
	ok(name)
}

func configValue(entries []sarama.ConfigEntry, name string) (sarama.ConfigEntry, bool) {
	for _, e := range entries {
		if e.Name == name {
			return e, true
		}
	}
	return sarama.ConfigEntry{}, false
}

func adminTopics(admin sarama.ClusterAdmin, v, topic string) {
	err := admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: 3, ReplicationFactor: 1,
		ConfigEntries: map[string]*string{"retention.ms": str("3600000")}}, false)
	check(v+" admin: CreateTopic with a config", err)
	err = admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: 3, ReplicationFactor: 1}, false)
	wantKError(v+" admin: CreateTopic of an existing topic is TOPIC_ALREADY_EXISTS", err, sarama.ErrTopicAlreadyExists)
	err = admin.CreateTopic(topic+"-rf", &sarama.TopicDetail{NumPartitions: 1, ReplicationFactor: 3}, false)
	wantKError(v+" admin: CreateTopic with more replicas than brokers is INVALID_REPLICATION_FACTOR", err, sarama.ErrInvalidReplicationFactor)
	err = admin.CreateTopic(topic+"-validate", &sarama.TopicDetail{NumPartitions: 2, ReplicationFactor: 1}, true)
	check(v+" admin: CreateTopic validateOnly", err)

	name := v + " admin: ListTopics shows partitions, replication and configs"
	topics, err := admin.ListTopics()
	if err != nil {
		notOk(name, "%v", err)
	} else if d, found := topics[topic]; !found || d.NumPartitions != 3 || d.ReplicationFactor != 1 {
		notOk(name, "%s: %+v", topic, d)
	} else if _, created := topics[topic+"-validate"]; created {
		notOk(name, "the validateOnly topic was created")
	} else if r := d.ConfigEntries["retention.ms"]; r == nil || *r != "3600000" {
		notOk(name, "retention.ms %v", r)
	} else {
		ok(name)
	}

	name = v + " admin: DescribeTopics"
	described, err := admin.DescribeTopics([]string{topic, "no-such-topic-" + topic})
	if err != nil {
		notOk(name, "%v", err)
	} else if len(described) != 2 || described[0].Err != sarama.ErrNoError || len(described[0].Partitions) != 3 ||
		described[1].Err != sarama.ErrUnknownTopicOrPartition {
		notOk(name, "%+v", described)
	} else if p := described[0].Partitions[0]; p.Leader != 1 || len(p.Replicas) != 1 || len(p.Isr) != 1 {
		notOk(name, "partition 0: leader %d replicas %v isr %v", p.Leader, p.Replicas, p.Isr)
	} else {
		ok(name)
	}

	check(v+" admin: CreatePartitions 3 -> 5", admin.CreatePartitions(topic, 5, nil, false))
	described, err = admin.DescribeTopics([]string{topic})
	if err != nil || len(described) != 1 || len(described[0].Partitions) != 5 {
		notOk(v+" admin: the topic has 5 partitions", "%v %+v", err, described)
	} else {
		ok(v + " admin: the topic has 5 partitions")
	}
	err = admin.CreatePartitions(topic, 2, nil, false)
	wantKError(v+" admin: CreatePartitions to fewer is INVALID_PARTITIONS", err, sarama.ErrInvalidPartitions)
}

func adminConfigs(admin sarama.ClusterAdmin, v, topic string) {
	name := v + " admin: DescribeConfig of a topic"
	entries, err := admin.DescribeConfig(sarama.ConfigResource{Type: sarama.TopicResource, Name: topic})
	if err != nil {
		notOk(name, "%v", err)
	} else if r, found := configValue(entries, "retention.ms"); !found || r.Value != "3600000" || r.Default {
		notOk(name, "retention.ms %+v", r)
	} else if c, found := configValue(entries, "cleanup.policy"); !found || c.Value != "delete" || !c.Default {
		notOk(name, "cleanup.policy %+v", c)
	} else {
		ok(name)
	}

	name = v + " admin: DescribeConfig of named configs"
	entries, err = admin.DescribeConfig(sarama.ConfigResource{Type: sarama.TopicResource, Name: topic, ConfigNames: []string{"min.insync.replicas"}})
	if err != nil || len(entries) != 1 || entries[0].Value != "1" {
		notOk(name, "%v %+v", err, entries)
	} else {
		ok(name)
	}

	// sarama 1.22's BrokerResource is 5, which Kafka does not know (Kafka's BROKER is 4, sarama's
	// ClusterResource): Kafka 3.9 answers INVALID_REQUEST, so brokers are described as ClusterResource.
	_, err = admin.DescribeConfig(sarama.ConfigResource{Type: sarama.BrokerResource, Name: "1"})
	if err == nil || !strings.Contains(err.Error(), "malformed by the client library") {
		notOk(v+" admin: DescribeConfig of resource type 5 is refused with Kafka's INVALID_REQUEST message", "%v", err)
	} else {
		ok(v + " admin: DescribeConfig of resource type 5 is refused with Kafka's INVALID_REQUEST message")
	}
	name = v + " admin: DescribeConfig of the broker"
	entries, err = admin.DescribeConfig(sarama.ConfigResource{Type: sarama.ClusterResource, Name: "1"})
	if err != nil {
		notOk(name, "%v", err)
	} else if n, found := configValue(entries, "num.partitions"); !found || n.Value == "" {
		notOk(name, "num.partitions %+v of %d entries", n, len(entries))
	} else {
		ok(name)
	}

	name = v + " admin: AlterConfig of a topic, read back"
	err = admin.AlterConfig(sarama.TopicResource, topic, map[string]*string{"retention.ms": str("7200000"), "max.message.bytes": str("200000")}, false)
	if err != nil {
		notOk(name, "%v", err)
	} else {
		entries, err = admin.DescribeConfig(sarama.ConfigResource{Type: sarama.TopicResource, Name: topic})
		r, _ := configValue(entries, "retention.ms")
		m, _ := configValue(entries, "max.message.bytes")
		if err != nil || r.Value != "7200000" || m.Value != "200000" {
			notOk(name, "%v retention.ms %q max.message.bytes %q", err, r.Value, m.Value)
		} else {
			ok(name)
		}
	}
	err = admin.AlterConfig(sarama.TopicResource, topic, map[string]*string{"no.such.config": str("1")}, false)
	if err == nil {
		notOk(v+" admin: AlterConfig of an unknown config is refused", "accepted")
	} else {
		ok(v + " admin: AlterConfig of an unknown config is refused")
	}
}

func adminRecords(bootstrap []string, admin sarama.ClusterAdmin, v, topic string) {
	name := v + " admin: DeleteRecords moves the log start offset"
	topic += "-records"
	createTopic(admin, topic, 1, 1)
	if err := produceAll(bootstrap, v, sarama.CompressionNone, topic, 10, false); err != nil {
		notOk(name, "produce: %v", err)
		return
	}
	if err := admin.DeleteRecords(topic, map[int32]int64{0: 4}); err != nil {
		notOk(name, "%v", err)
		return
	}
	client, err := sarama.NewClient(bootstrap, newConfig(v))
	if err != nil {
		notOk(name, "client: %v", err)
		return
	}
	defer client.Close()
	oldest, err := client.GetOffset(topic, 0, sarama.OffsetOldest)
	if err != nil || oldest != 4 {
		notOk(name, "oldest offset %d %v", oldest, err)
		return
	}
	got, err := consume(bootstrap, newConfig(v), topic, 0, sarama.OffsetOldest, 6)
	if err != nil || got[0].Offset != 4 {
		notOk(name, "read from oldest: %v", err)
		return
	}
	ok(name)
}

func adminAcls(admin sarama.ClusterAdmin, v, topic string) {
	resource := sarama.Resource{ResourceType: sarama.AclResourceTopic, ResourceName: topic, ResoucePatternType: sarama.AclPatternLiteral}
	acl := sarama.Acl{Principal: "User:alice", Host: "*", Operation: sarama.AclOperationRead, PermissionType: sarama.AclPermissionAllow}
	check(v+" admin: CreateACL", admin.CreateACL(resource, acl))
	filter := sarama.AclFilter{ResourceType: sarama.AclResourceTopic, ResourceName: str(topic), ResourcePatternTypeFilter: sarama.AclPatternAny,
		Operation: sarama.AclOperationAny, PermissionType: sarama.AclPermissionAny}
	name := v + " admin: ListAcls finds it"
	found, err := admin.ListAcls(filter)
	if err != nil {
		notOk(name, "%v", err)
	} else if len(found) != 1 || len(found[0].Acls) != 1 || found[0].Acls[0].Principal != "User:alice" ||
		found[0].Acls[0].Operation != sarama.AclOperationRead || found[0].ResourceName != topic {
		notOk(name, "%+v", found)
	} else {
		ok(name)
	}
	name = v + " admin: DeleteACL deletes it"
	deleted, err := admin.DeleteACL(filter, false)
	if err != nil || len(deleted) != 1 || deleted[0].Err != sarama.ErrNoError || deleted[0].Principal != "User:alice" {
		notOk(name, "%v %+v", err, deleted)
	} else if left, err := admin.ListAcls(filter); err != nil || len(left) != 0 {
		notOk(name, "still listed: %v %+v", err, left)
	} else {
		ok(name)
	}
}

func runAdmin(bootstrap []string, v string) {
	config := newConfig(v)
	admin, err := sarama.NewClusterAdmin(bootstrap, config)
	if err != nil {
		fatal("admin: %v", err)
	}
	defer admin.Close()
	topic := "admin-" + label(v)
	// sarama 1.22 sends Metadata v0 here, which has no controller id: it reports -1.
	name := v + " admin: DescribeCluster"
	brokers, _, err := admin.DescribeCluster()
	if err != nil || len(brokers) != 1 || brokers[0].ID() != 1 || brokers[0].Addr() != bootstrap[0] {
		notOk(name, "%v: %d brokers", err, len(brokers))
	} else {
		ok(name)
	}
	if !config.Version.IsAtLeast(sarama.V1_0_0_0) {
		// sarama refuses CreatePartitions before 1.0 and ListTopics (DescribeConfigs) before 0.11 itself.
		oldAdmin(admin, v, topic)
		return
	}
	adminTopics(admin, v, topic)
	adminConfigs(admin, v, topic)
	adminRecords(bootstrap, admin, v, topic)
	adminAcls(admin, v, topic)
	check(v+" admin: DeleteTopic", admin.DeleteTopic(topic))
	name = v + " admin: the deleted topic is no longer listed"
	if topics, err := admin.ListTopics(); err != nil {
		notOk(name, "%v", err)
	} else if _, still := topics[topic]; still {
		notOk(name, "still listed")
	} else {
		ok(name)
	}
	wantKError(v+" admin: DeleteTopic of a missing topic is UNKNOWN_TOPIC_OR_PARTITION", admin.DeleteTopic(topic+"-none"), sarama.ErrUnknownTopicOrPartition)
}

// oldAdmin is what sarama allows before 1.0: CreateTopics v1 (0.10.2), Metadata, DeleteTopics v0.
func oldAdmin(admin sarama.ClusterAdmin, v, topic string) {
	check(v+" admin: CreateTopic", admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: 3, ReplicationFactor: 1}, false))
	err := admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: 3, ReplicationFactor: 1}, false)
	wantKError(v+" admin: CreateTopic of an existing topic is TOPIC_ALREADY_EXISTS", err, sarama.ErrTopicAlreadyExists)
	name := v + " admin: DescribeTopics"
	described, err := admin.DescribeTopics([]string{topic})
	if err != nil || len(described) != 1 || len(described[0].Partitions) != 3 {
		notOk(name, "%v %+v", err, described)
	} else {
		ok(name)
	}
	check(v+" admin: DeleteTopic", admin.DeleteTopic(topic))
}
