'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: the tool files are CommonJS */
/* global __dirname */
/**
 * Runs one of Kafka's tools as `gregor <tool> ...`: bin/kafka/<tool>.sh calls it with its name.
 * The Docker image's /opt/kafka/bin/<tool>.sh require this file by its absolute path.
 */
const path = require('node:path');

module.exports = function launch(tool) {
  const { main } = require(path.join(__dirname, '..', 'load-cli.cjs')).loadCli();
  main([tool, ...process.argv.slice(2)]).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
};
