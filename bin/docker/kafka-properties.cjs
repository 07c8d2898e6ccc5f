'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: run by node in the Docker image */
/* global __dirname */
/**
 * Writes the broker settings of the KAFKA_* environment as a Java properties file (the path given), with
 * the mapping `gregor start` applies (KAFKA_NODE_ID -> node.id, ...): the Docker image's
 * /etc/confluent/docker/configure writes /etc/kafka/kafka.properties with it, for the tools that read
 * that file (kafka-storage format -c ...).
 */
const fs = require('node:fs');
const path = require('node:path');

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
const { BrokerConfig } = require(path.join(__dirname, '..', 'load-cli.cjs')).loadCli();
const config = BrokerConfig.load({ env: process.env });
const lines = [...config.entries()].map(([key, value]) => `${escape(key, true)}=${escape(value, false)}`);
fs.writeFileSync(target, `${lines.join('\n')}\n`);
