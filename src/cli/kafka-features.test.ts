/**
 * kafka-features.sh describe (bin/kafka, as a user runs it) against a broker: one line a feature,
 * as Kafka 3.9's FeatureCommand prints it, checked against the broker's own ApiVersions v3 answer
 * (a raw request); metadata.version by its name (level 21 is 3.9-IV0). The argument errors and the
 * refused commands.
 */
import t from 'tap';
import { ApiVersionsApi, defaultApiVersionsRequest } from '../../protocol/generated/messages/18-api-versions.js';
import { brokerFor } from '../../test/helpers/broker.js';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { kafkaTool } from '../../test/helpers/kafka-tools.js';
import { rawClient } from '../../test/helpers/raw-client.js';

t.test(
  'kafka-features describe: the features the broker serves, as FeatureCommand prints them',
  { skip: CLI_SKIP },
  async (t) => {
    t.setTimeout(60_000);
    const broker = await brokerFor(t);
    const b = broker.bootstrap;
    const raw = await rawClient(Number(b.split(':')[1]));
    t.teardown(() => raw.close());
    const answer = await raw.call(ApiVersionsApi, 3, defaultApiVersionsRequest());

    const r = await kafkaTool('kafka-features', ['--bootstrap-server', b, 'describe']);
    t.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    t.equal(lines.pop(), '');
    t.equal(lines.length, answer.supportedFeatures.length, 'a line a supported feature');
    t.same(
      lines.map((l) => /^Feature: (\S+)\t/.exec(l)?.[1]),
      answer.supportedFeatures.map((f) => f.name).sort(),
      'in name order',
    );
    const epoch = String(answer.finalizedFeaturesEpoch);
    t.ok(
      lines.includes(
        `Feature: metadata.version\tSupportedMinVersion: 3.0-IV1\tSupportedMaxVersion: 3.9-IV0\tFinalizedVersionLevel: 3.9-IV0\tEpoch: ${epoch}`,
      ),
      r.stdout,
    );
    for (const f of answer.supportedFeatures.filter((f) => f.name !== 'metadata.version')) {
      const level = answer.finalizedFeatures.find((x) => x.name === f.name)?.maxVersionLevel ?? 0;
      t.ok(
        lines.includes(
          `Feature: ${f.name}\tSupportedMinVersion: ${f.minVersion}\tSupportedMaxVersion: ${f.maxVersion}\tFinalizedVersionLevel: ${level}\tEpoch: ${epoch}`,
        ),
        f.name,
      );
    }

    const noServer = await kafkaTool('kafka-features', ['describe']);
    t.equal(noServer.code, 1);
    t.match(
      noServer.stderr,
      /\nkafka-features: error: one of the arguments --bootstrap-server --bootstrap-controller is required\n$/,
    );
    const upgrade = await kafkaTool('kafka-features', ['--bootstrap-server', b, 'upgrade', '--metadata', '3.9']);
    t.equal(upgrade.code, 1);
    t.match(upgrade.stderr, /does not implement upgrade/);
  },
);
