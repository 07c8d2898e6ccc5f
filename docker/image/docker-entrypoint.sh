#!/bin/sh
# The image's entry point. With no arguments, or with `gregor start`'s own (options such as
# --override k=v, or a server.properties file), it starts the broker in this process, configured as the
# apache/kafka image is: by the KAFKA_* environment alone, or over a server.properties mounted at
# /mnt/shared/config, or with no KAFKA_* setting by the image's defaults (/etc/kafka/docker/defaults). Any other first argument is a command to run instead, as in the
# apache/kafka image: `docker run gregor kafka-topics.sh --bootstrap-server ... --list`, or the
# `sh -c '...'` that the Testcontainers Kafka modules of Java and Python give as the command. Before the
# broker starts, SSL stores named as the apache/kafka image names them (KAFKA_SSL_KEYSTORE_FILENAME and
# credentials files in /etc/kafka/secrets) become settings (/etc/kafka/docker/ssl-secrets).
if [ $# -eq 0 ] || [ "${1#-}" != "$1" ] || { [ -f "$1" ] && [ ! -x "$1" ]; }; then
  . /etc/kafka/docker/defaults
  . /etc/kafka/docker/ssl-secrets
  exec node /app/bin/gregor.cjs start ${GREGOR_SERVER_PROPERTIES:+"$GREGOR_SERVER_PROPERTIES"} "$@"
fi
exec "$@"
