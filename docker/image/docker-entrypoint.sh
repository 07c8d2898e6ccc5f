#!/bin/sh
# The image's entry point. With no arguments, or with `gregor start`'s own (options such as
# --override k=v, or a server.properties file), it starts the broker in this process, configured by the
# KAFKA_* environment as before. Any other first argument is a command to run instead, as in the
# apache/kafka image: `docker run gregor kafka-topics.sh --bootstrap-server ... --list`, or the
# `sh -c '...'` that the Testcontainers Kafka modules of Java and Python give as the command.
if [ $# -eq 0 ] || [ "${1#-}" != "$1" ] || { [ -f "$1" ] && [ ! -x "$1" ]; }; then
  exec node /app/bin/gregor.cjs start "$@"
fi
exec "$@"
