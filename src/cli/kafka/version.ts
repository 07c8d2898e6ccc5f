/** What `--version` prints: the Kafka release whose tools these follow, and that they are Gregor's. */
export const KAFKA_VERSION = "3.9.0 (Gregor's Kafka-compatible tools)";
