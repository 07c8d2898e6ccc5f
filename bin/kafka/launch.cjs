'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: loaded by the image's launchers with require() */
/* global __dirname */
/**
 * Runs one of Kafka's tools as `gregor <tool> ...` for the Docker image, which has no shell: its
 * /opt/kafka/bin/<tool>.sh are node scripts (`#!/usr/local/bin/node`) that require this file by
 * its absolute path with the tool's name (docker/Dockerfile writes them). The package's own
 * bin/kafka/<tool>.sh are sh scripts that run bin/gregor.js.
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
