'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: run by node in the Docker image */
/**
 * Writes the broker settings of the KAFKA_* environment as a Java properties file (the path given), for
 * the Docker image's /etc/confluent/docker/configure (/etc/kafka/kafka.properties, read by the tools
 * that take `-c` such as `kafka-storage format`). The mapping is the one `gregor start` applies
 * (configFromEnv in src/common/config.ts, as the apache/kafka image maps: strip KAFKA_, lower-case,
 * `___` -> `-`, `__` -> `_`, `_` -> `.`); it is repeated here so that the script does not load the
 * 3 MB bundle (half a second of a container's start), and src/common/kafka-properties-script.test.ts
 * checks that both give the same settings.
 */
const fs = require('node:fs');

const NOT_BROKER_SETTINGS = new Set([
  'KAFKA_VERSION',
  'KAFKA_HOME',
  'KAFKA_OPTS',
  'KAFKA_HEAP_OPTS',
  'KAFKA_JVM_PERFORMANCE_OPTS',
  'KAFKA_LOG4J_OPTS',
  'KAFKA_JMX_OPTS',
  'KAFKA_GC_LOG_OPTS',
  'KAFKA_DEBUG',
  'KAFKA_JMX_HOSTNAME',
  'KAFKA_TOOLS_LOG4J_LOGLEVEL',
]);

function settingName(variable) {
  return variable
    .slice('KAFKA_'.length)
    .toLowerCase()
    .split('___')
    .map((part) =>
      part
        .split('__')
        .map((piece) => piece.replace(/_/g, '.'))
        .join('_'),
    )
    .join('-');
}

/** Escapes a key or value as java.util.Properties reads it back. */
function escape(text, isKey) {
  let out = '';
  for (const [i, ch] of [...text].entries()) {
    if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\f') out += '\\f';
    else if ('=:#!'.includes(ch) && (isKey || i === 0)) out += `\\${ch}`;
    else if (ch === ' ' && (isKey || i === 0)) out += '\\ ';
    else out += ch;
  }
  return out;
}

const target = process.argv[2];
if (!target) {
  console.error('usage: kafka-properties.cjs <file>');
  process.exit(2);
}
const settings = new Map();
for (const [variable, value] of Object.entries(process.env)) {
  if (variable.startsWith('KAFKA_') && value !== undefined && !NOT_BROKER_SETTINGS.has(variable))
    settings.set(settingName(variable), value);
}
const lines = [...settings].map(([key, value]) => `${escape(key, true)}=${escape(value, false)}`);
fs.writeFileSync(target, `${lines.join('\n')}\n`);
