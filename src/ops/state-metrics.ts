/**
 * The state families of /metrics, read from the broker when scraped: ReplicaManager,
 * KafkaController, Log (per hosted partition), raft-metrics, and kafka_exporter's
 * topic and consumer-group offsets. Names follow the Prometheus JMX exporter with the
 * Strimzi/Confluent rules, and kafka_exporter for the kafka_topic_* / kafka_consumergroup_*
 * families. Each node reports the partitions it hosts and the groups it coordinates.
 */
import { Gauge, type LabelValues, type Registry } from 'prom-client';
import type { BrokerView, BrokerViewSource } from './broker-view.js';
import type { Partition } from '../broker/partition.js';

type Labels = LabelValues<string>;
type Emit = (value: number, labels?: Labels) => void;

function gauge(
  registry: Registry,
  view: BrokerViewSource,
  name: string,
  help: string,
  labelNames: string[],
  fill: (b: BrokerView, emit: Emit) => void,
): void {
  new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      const b = view();
      if (b === null) return;
      fill(b, (value, labels) => (labels === undefined ? this.set(value) : this.set(labels, value)));
    },
  });
}

function countLed(b: BrokerView, test: (p: Partition) => boolean): number {
  let count = 0;
  for (const p of b.replicas.all()) if (p.isLeader() && test(p)) count++;
  return count;
}

type Register = (name: string, help: string, labelNames: string[], fill: (b: BrokerView, emit: Emit) => void) => void;

/** ReplicaManager's gauges (kafka.server:type=ReplicaManager). */
function registerReplicaManagerMetrics(g: Register): void {
  g('kafka_server_replicamanager_partitioncount', 'Partitions hosted on this broker.', [], (b, emit) =>
    emit([...b.replicas.all()].length),
  );
  g('kafka_server_replicamanager_leadercount', 'Partitions this broker leads.', [], (b, emit) =>
    emit(countLed(b, () => true)),
  );
  g(
    'kafka_server_replicamanager_underreplicatedpartitions',
    'Led partitions whose ISR is smaller than their replica set.',
    [],
    (b, emit) => emit(countLed(b, (p) => p.state.isr.length < p.state.replicas.length)),
  );

  g(
    'kafka_server_replicamanager_underminisrpartitioncount',
    'Led partitions whose ISR is below min(min.insync.replicas, replication factor).',
    [],
    (b, emit) => emit(countLed(b, (p) => p.isUnderMinIsr())),
  );
  g(
    'kafka_server_replicamanager_atminisrpartitioncount',
    'Led partitions whose ISR is exactly min(min.insync.replicas, replication factor).',
    [],
    (b, emit) => emit(countLed(b, (p) => p.isAtMinIsr())),
  );
  g(
    'kafka_server_replicamanager_offlinereplicacount',
    'Hosted partitions offline here (log dir failed or log not opened).',
    [],
    (b, emit) => emit(b.replicas.offlineCount()),
  );
}

export function registerStateMetrics(registry: Registry, view: BrokerViewSource): void {
  const g: Register = (name, help, labelNames, fill) => gauge(registry, view, name, help, labelNames, fill);

  registerReplicaManagerMetrics(g);

  // KafkaController (non-zero on the active controller only, as in Kafka)
  g('kafka_controller_kafkacontroller_activecontrollercount', '1 on the active controller, else 0.', [], (b, emit) =>
    emit(b.controller.isActive() ? 1 : 0),
  );
  g(
    'kafka_controller_kafkacontroller_offlinepartitionscount',
    'Partitions without a leader (active controller only).',
    [],
    (b, emit) => {
      if (!b.controller.isActive()) return emit(0);
      let offline = 0;
      for (const t of b.controller.image.topicsByName.values())
        for (const p of t.partitions.values()) if (p.leader < 0) offline++;
      emit(offline);
    },
  );
  g(
    'kafka_controller_kafkacontroller_globaltopiccount',
    'Topics in the cluster (active controller only).',
    [],
    (b, emit) => emit(b.controller.isActive() ? b.controller.image.topicsByName.size : 0),
  );
  g(
    'kafka_controller_kafkacontroller_globalpartitioncount',
    'Partitions in the cluster (active controller only).',
    [],
    (b, emit) => {
      let n = 0;
      if (b.controller.isActive()) for (const t of b.controller.image.topicsByName.values()) n += t.partitions.size;
      emit(n);
    },
  );

  // Log, per hosted partition
  const perPartition = (
    name: string,
    help: string,
    read: (p: { size(): number; logStartOffset: number; logEndOffset: number }) => number,
  ): void =>
    g(name, help, ['topic', 'partition'], (b, emit) => {
      for (const p of b.replicas.all()) emit(read(p.log), { topic: p.topic, partition: String(p.index) });
    });
  perPartition('kafka_log_log_size', 'Bytes of the partition log (all segments).', (l) => l.size());
  perPartition('kafka_log_log_logstartoffset', 'Log start offset.', (l) => l.logStartOffset);
  perPartition('kafka_log_log_logendoffset', 'Log end offset.', (l) => l.logEndOffset);

  // raft-metrics (kafka.server:type=raft-metrics)
  g('kafka_server_raftmetrics_current_leader', 'The metadata quorum leader, -1 if unknown.', [], (b, emit) =>
    emit(b.quorum.leaderId()),
  );
  g('kafka_server_raftmetrics_current_epoch', 'The metadata quorum epoch.', [], (b, emit) =>
    emit(b.quorum.raft.epoch()),
  );
  g('kafka_server_raftmetrics_current_vote', 'The voter this node voted for in the epoch, -1 if none.', [], (b, emit) =>
    emit(b.quorum.raft.metricsView().votedId),
  );
  g('kafka_server_raftmetrics_high_watermark', 'The metadata log high watermark.', [], (b, emit) =>
    emit(b.quorum.raft.highWatermark()),
  );
  g('kafka_server_raftmetrics_log_end_offset', 'The metadata log end offset.', [], (b, emit) =>
    emit(b.quorum.raft.metricsView().logEndOffset),
  );
  g('kafka_server_raftmetrics_log_end_epoch', 'The epoch of the last metadata log entry.', [], (b, emit) =>
    emit(b.quorum.raft.metricsView().logEndEpoch),
  );
  g(
    'kafka_server_raftmetrics_current_state',
    'The Raft state of this node (1 for the current one).',
    ['current_state'],
    (b, emit) => emit(1, { current_state: b.quorum.raft.metricsView().state }),
  );

  // kafka_exporter
  g('kafka_brokers', 'Unfenced brokers registered in the cluster metadata.', [], (b, emit) => {
    let n = 0;
    for (const broker of b.controller.image.brokers.values()) if (!broker.fenced) n++;
    emit(n);
  });
  g('kafka_topic_partitions', 'Partitions of each topic.', ['topic'], (b, emit) => {
    for (const t of b.controller.image.topicsByName.values()) emit(t.partitions.size, { topic: t.name });
  });
  g(
    'kafka_topic_partition_current_offset',
    'High watermark of each partition this broker leads.',
    ['topic', 'partition'],
    (b, emit) => {
      for (const p of b.replicas.all())
        if (p.state.leader === b.nodeId) emit(p.highWatermark, { topic: p.topic, partition: String(p.index) });
    },
  );
  g(
    'kafka_topic_partition_oldest_offset',
    'Log start offset of each partition this broker leads.',
    ['topic', 'partition'],
    (b, emit) => {
      for (const p of b.replicas.all())
        if (p.state.leader === b.nodeId) emit(p.log.logStartOffset, { topic: p.topic, partition: String(p.index) });
    },
  );
  const committed = (
    b: BrokerView,
    each: (group: string, topic: string, partition: number, offset: number) => void,
  ): void => {
    for (const [group, topics] of b.groups.coordinator.store.offsets) {
      for (const [topic, partitions] of topics)
        for (const [partition, c] of partitions) each(group, topic, partition, Number(c.offset));
    }
  };
  g(
    'kafka_consumergroup_current_offset',
    'Committed offset of each group and partition this broker coordinates.',
    ['consumergroup', 'topic', 'partition'],
    (b, emit) =>
      committed(b, (consumergroup, topic, partition, offset) =>
        emit(offset, { consumergroup, topic, partition: String(partition) }),
      ),
  );
  g(
    'kafka_consumergroup_lag',
    'High watermark minus committed offset, for partitions this broker leads.',
    ['consumergroup', 'topic', 'partition'],
    (b, emit) =>
      committed(b, (consumergroup, topic, partition, offset) => {
        const p = b.replicas.get(topic, partition);
        if (p === undefined || p.state.leader !== b.nodeId) return;
        emit(Math.max(0, p.highWatermark - offset), { consumergroup, topic, partition: String(partition) });
      }),
  );
}
