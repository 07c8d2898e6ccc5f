// Command sarama-check drives Debian's sarama 1.22 against a Kafka-compatible broker as an
// application would, and prints one line per check: "ok <name>", "not ok <name> -- <why>" or
// "skip <name> -- <why>". It exits 1 when a check failed. Used by compat-tests/go/*.test.ts.
//
// Usage: sarama-check <scenario> <bootstrap> [args...]
//
//	produce <bootstrap> <version>       sync/async producers, codecs, acks, headers; consume back
//	convert <bootstrap>                 records written by new clients, read by old Fetch versions
//	limits <bootstrap>                  fetch size limits (Fetch v2 and v3), LogAppendTime
//	group <bootstrap> <version>         ConsumerGroup, two members, a rebalance, commits
//	offsets <bootstrap> <version>       OffsetManager commits and fetches
//	admin <bootstrap> <version>         ClusterAdmin calls (topics, configs, records, groups, ACLs)
//	sasl <bootstrap> <version> <user> <password> <wrong-password>
//	failover <bootstrap> <phase> <topic> [args...]  cluster use around a leader kill (failover.go)
//
// <bootstrap> is host:port, or several separated by commas.
package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/Shopify/sarama"
)

var failures int

func ok(name string) { fmt.Printf("ok %s\n", name) }

func notOk(name string, format string, args ...interface{}) {
	failures++
	fmt.Printf("not ok %s -- %s\n", name, strings.ReplaceAll(fmt.Sprintf(format, args...), "\n", " "))
}

func skip(name string, why string) { fmt.Printf("skip %s -- %s\n", name, why) }

// check prints ok when err is nil, not ok otherwise; it returns whether it passed.
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

// newConfig is the configuration every scenario starts from: short timeouts, the given version.
func newConfig(version string) *sarama.Config {
	v, err := sarama.ParseKafkaVersion(version)
	if err != nil {
		fatal("version %s: %v", version, err)
	}
	c := sarama.NewConfig()
	c.Version = v
	c.ClientID = "sarama-check"
	c.Net.DialTimeout = 10 * time.Second
	c.Net.ReadTimeout = 15 * time.Second
	c.Net.WriteTimeout = 10 * time.Second
	c.Metadata.Retry.Max = 20
	c.Metadata.Retry.Backoff = 100 * time.Millisecond
	c.Producer.Retry.Max = 20
	c.Producer.Retry.Backoff = 100 * time.Millisecond
	c.Producer.Return.Successes = true
	c.Consumer.Return.Errors = true
	c.Consumer.Retry.Backoff = 100 * time.Millisecond
	c.Admin.Timeout = 10 * time.Second
	return c
}

// label makes a version usable in topic and group names.
func label(version string) string { return strings.ReplaceAll(version, ".", "_") }

func main() {
	if len(os.Args) < 3 {
		fatal("usage: sarama-check <scenario> <bootstrap> [args...]")
	}
	scenario, bootstrap, args := os.Args[1], strings.Split(os.Args[2], ","), os.Args[3:]
	arg := func(i int) string {
		if i >= len(args) {
			fatal("%s: missing argument %d", scenario, i+1)
		}
		return args[i]
	}
	switch scenario {
	case "produce":
		runProduce(bootstrap, arg(0))
	case "convert":
		runConvert(bootstrap)
	case "limits":
		runLimits(bootstrap)
	case "group":
		runGroup(bootstrap, arg(0))
	case "offsets":
		runOffsets(bootstrap, arg(0))
	case "admin":
		runAdmin(bootstrap, arg(0))
	case "sasl":
		runSasl(bootstrap, arg(0), arg(1), arg(2), arg(3))
	case "failover":
		runFailover(bootstrap, arg(0), args[1:])
	default:
		fatal("unknown scenario %s", scenario)
	}
	if failures > 0 {
		os.Exit(1)
	}
}
