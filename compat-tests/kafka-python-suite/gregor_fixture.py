"""pytest plugin: kafka-python 2.0.2's test suite against Gregor instead of a Java broker.

Loaded with `-p gregor_fixture` (run.sh puts this folder on PYTHONPATH). The suite's fixtures
(test/conftest.py, test/fixtures.py) start ZooKeeper and a Java Kafka through
kafka-run-class.sh; this plugin replaces the two `instance` factories they call:

- ZookeeperFixture.instance: a stand-in with host and port only (Gregor is KRaft: no ZooKeeper).
- KafkaFixture.instance: a GregorFixture, the suite's own KafkaFixture (so its topic creation,
  client factories and `_send_request` are the suite's code) whose open/start/stop/close run one
  Gregor node (`node bin/gregor.cjs start`, combined broker and controller) with the settings of
  the suite's servers/<KAFKA_VERSION>/resources/kafka.properties, translated where KRaft differs:
  SimpleAclAuthorizer -> StandardAuthorizer (still allow.everyone.if.no.acl.found=true), the SCRAM
  user written at first start (bootstrap.scram.credentials) instead of ConfigCommand --zookeeper.
  get_topic_names lists topics with the suite's own admin client instead of TopicCommand
  --zookeeper. Left out: the SSL settings of the template (no test of 2.0.2 uses SSL).

Environment: GREGOR_BIN (bin/gregor.cjs), GREGOR_PORT_BASE (first of a range of ports; each node
takes two), GREGOR_LOG_DIR (where each node's log is kept; default: removed with the node).
"""

import itertools
import os
import shutil
import subprocess
import sys
import tempfile
import time

from kafka import KafkaAdminClient
from test import fixtures

_ports = itertools.count(int(os.environ.get("GREGOR_PORT_BASE", "24100")), 2)
_node_numbers = itertools.count(1)


class NoZookeeper(object):
    """What the suite's fixtures read of a ZooKeeper fixture; Gregor needs none."""

    host = "127.0.0.1"
    port = 0

    def close(self):
        pass

    def dump_logs(self):
        pass


class GregorProcess(object):
    """A node's process, its output in a file (the suite's SpawnedService reads a pipe line by line
    behind select(), which can leave the start-up line in Python's buffer unseen)."""

    def __init__(self, args, env, log_path):
        self.log_path = log_path
        with open(log_path, "w") as log:
            self.process = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)

    def output(self):
        with open(self.log_path) as log:
            return log.read()

    def wait_for(self, text, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if text in self.output():
                return True
            if self.process.poll() is not None:
                return False
            time.sleep(0.1)
        return False

    def dump_logs(self):
        sys.stdout.write(self.output())

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class GregorFixture(fixtures.KafkaFixture):
    """The suite's KafkaFixture, with a Gregor node where it ran kafka.Kafka."""

    def open(self):
        if self.running:
            return
        self.workdir = tempfile.mkdtemp(prefix="gregor-kpy-node-")
        self.port = next(_ports)
        self.controller_port = self.port + 1
        self.number = next(_node_numbers)
        self.out("Starting Gregor node on port %d" % self.port)
        self.start()

    def _properties(self):
        transport = self.transport
        lines = [
            "process.roles=broker,controller",
            "node.id=%d" % self.broker_id,
            "controller.quorum.voters=%d@127.0.0.1:%d" % (self.broker_id, self.controller_port),
            "listeners=%s://127.0.0.1:%d,CONTROLLER://127.0.0.1:%d"
            % (transport, self.port, self.controller_port),
            "advertised.listeners=%s://%s:%d" % (transport, self.host, self.port),
            "controller.listener.names=CONTROLLER",
            "listener.security.protocol.map=%s:%s,CONTROLLER:PLAINTEXT" % (transport, transport),
            "inter.broker.listener.name=%s" % transport,
            "log.dirs=%s" % os.path.join(self.workdir, "data"),
            "num.partitions=%d" % self.partitions,
            "default.replication.factor=%d" % self.replicas,
            "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            "allow.everyone.if.no.acl.found=true",
            "replica.lag.time.max.ms=1000",
            "offsets.commit.timeout.ms=500",
            "offsets.topic.num.partitions=2",
            "offsets.topic.replication.factor=1",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "group.min.session.timeout.ms=1000",
            "log.cleaner.enable=false",
        ]
        if self.sasl_enabled:
            mech = self.sasl_mechanism
            lines += [
                "sasl.enabled.mechanisms=%s" % mech,
                "sasl.mechanism.inter.broker.protocol=%s" % mech,
                "listener.name.%s.%s.sasl.jaas.config=%s"
                % (transport.lower(), mech.lower(), self.jaas_config.replace("\n", " ").strip()),
            ]
            if mech.startswith("SCRAM-"):
                lines.append(
                    "bootstrap.scram.credentials=%s=[name=%s,password=%s]"
                    % (mech, self.broker_user, self.broker_password)
                )
        return "\n".join(lines) + "\n"

    def start(self):
        self.sasl_config = ""
        self.jaas_config = self._jaas_config()
        props = os.path.join(self.workdir, "server.properties")
        with open(props, "w") as f:
            f.write(self._properties())
        env = os.environ.copy()
        env["CLUSTER_ID"] = "kafkaPythonSuite00000A"
        args = ["node", os.environ["GREGOR_BIN"], "start", "--config", props]
        self.child = GregorProcess(args, env, os.path.join(self.workdir, "node.log"))
        if not self.child.wait_for("caught up with the metadata log and unfenced", timeout=60):
            self.child.dump_logs()
            self.child.stop()
            raise RuntimeError("Gregor node did not start")
        (self._client,) = self.get_clients(1, client_id="_internal_client")
        self.running = True

    def stop(self):
        if not self.running:
            return
        self.child.stop()
        log_dir = os.environ.get("GREGOR_LOG_DIR")
        if log_dir:
            shutil.copy(self.child.log_path, os.path.join(log_dir, "node-%d.log" % self.number))
        self.running = False

    def close(self):
        self.stop()
        if getattr(self, "workdir", None):
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def get_topic_names(self):
        params = self._enrich_client_params({}, client_id="topic_lister")
        admin = KafkaAdminClient(**params)
        try:
            return admin.list_topics()
        finally:
            admin.close()


def _zookeeper_instance(cls):
    return NoZookeeper()


def _kafka_instance(cls, broker_id, zookeeper, zk_chroot=None, host=None, port=None,
                    transport="PLAINTEXT", replicas=1, partitions=2, sasl_mechanism=None,
                    auto_create_topic=True, tmp_dir=None):
    fixture = GregorFixture(host or "localhost", None, broker_id, zookeeper, zk_chroot or "",
                            transport=transport, replicas=replicas, partitions=partitions,
                            sasl_mechanism=sasl_mechanism, auto_create_topic=auto_create_topic)
    fixture.open()
    return fixture


def pytest_configure(config):
    fixtures.ZookeeperFixture.instance = classmethod(_zookeeper_instance)
    fixtures.KafkaFixture.instance = classmethod(_kafka_instance)
