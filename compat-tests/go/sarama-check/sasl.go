// SASL/PLAIN checks against a SASL_PLAINTEXT listener: the right password produces and
// consumes (SaslHandshake v0 with raw tokens before 1.0, v1 with SaslAuthenticate from 1.0);
// a wrong password is refused at connection.
package main

import (
	"fmt"

	"github.com/Shopify/sarama"
)

func saslConfig(version, user, password string) *sarama.Config {
	c := newConfig(version)
	c.Net.SASL.Enable = true
	c.Net.SASL.Mechanism = sarama.SASLTypePlaintext
	c.Net.SASL.User = user
	c.Net.SASL.Password = password
	c.Metadata.Retry.Max = 1
	return c
}

func runSasl(bootstrap []string, version, user, password, wrong string) {
	name := fmt.Sprintf("%s SASL/PLAIN: produce and consume as %s", version, user)
	topic := "sasl-" + label(version)
	config := saslConfig(version, user, password)
	producer, err := sarama.NewSyncProducer(bootstrap, config)
	if err != nil {
		notOk(name, "producer: %v", err)
	} else {
		_, _, err = producer.SendMessage(&sarama.ProducerMessage{Topic: topic, Key: sarama.StringEncoder(key(0)), Value: sarama.StringEncoder(value(topic, 0))})
		producer.Close()
		if err != nil {
			notOk(name, "send: %v", err)
		} else {
			got, err := consume(bootstrap, saslConfig(version, user, password), topic, 0, sarama.OffsetOldest, 1)
			if err != nil {
				notOk(name, "consume: %v", err)
			} else if string(got[0].Value) != value(topic, 0) {
				notOk(name, "read %q", got[0].Value)
			} else {
				ok(name)
			}
		}
	}
	name = fmt.Sprintf("%s SASL/PLAIN: a wrong password is refused", version)
	client, err := sarama.NewClient(bootstrap, saslConfig(version, user, wrong))
	if err == nil {
		client.Close()
		notOk(name, "connected")
		return
	}
	ok(name)
}
