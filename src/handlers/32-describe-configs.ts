/**
 * DescribeConfigs (key 32), versions 0-4.
 *
 * Topic resources (2): every topic config with its value in force, source and (v1+ when
 * asked) synonyms; unknown topics get UNKNOWN_TOPIC_OR_PARTITION, illegal names
 * INVALID_TOPIC_EXCEPTION. Broker resources (4): this node's id lists every broker
 * config Gregor knows with static, dynamic and default layers; the empty name lists
 * the dynamic cluster defaults; another id gets INVALID_REQUEST, as Kafka. Broker
 * logger resources (8): root and every named logger with its effective log4j level
 * (admin/broker-loggers.ts). Named keys filter the list (unknown
 * keys are left out). v0 reports isDefault instead of a source; v3+ adds the config
 * type and, when asked, documentation. Password configs are sensitive: value null.
 * Left out: client-metrics (16) and group (32) resources (INVALID_REQUEST).
 * A resource of a type Kafka does not know (not 2, 4, 8, 16 or 32; sarama 1.22's BrokerResource
 * is 5) fails the whole request as in Kafka's ConfigHelper: every resource is answered
 * INVALID_REQUEST with that error's default message and no configs.
 */
import {
  DescribeConfigsApi,
  type DescribeConfigsResponseDescribeConfigsResourceResult,
  type DescribeConfigsResponseDescribeConfigsResult,
} from '../../protocol/generated/messages/32-describe-configs.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defineHandler } from './handler.js';
import { ConfigResourceType } from '../metadata/image.js';
import { ConfigSource } from '../metadata/topic-configs.js';
import { validateTopicName } from '../metadata/controller.js';
import {
  brokerConfigNames,
  configLayers,
  describeBrokerConfig,
  describeTopicConfig,
  type ConfigEntry,
} from '../admin/config-describe.js';
import { TOPIC_CONFIGS } from '../metadata/topic-configs.js';
import { checkBrokerResourceName } from '../admin/resource-names.js';
import { loggerEntries } from '../admin/broker-loggers.js';

/** The resource types of Kafka's ConfigResource.Type other than UNKNOWN. */
const KAFKA_RESOURCE_TYPES: ReadonlySet<number> = new Set([2, 4, 8, 16, 32]);
/** Errors.INVALID_REQUEST's default message, which Kafka's error response carries. */
const INVALID_REQUEST_MESSAGE =
  'This most likely occurs because of a request being malformed by the client library or the message was sent to an incompatible broker. See the broker logs for more details.';

export const describeConfigsHandler = defineHandler({
  api: DescribeConfigsApi,
  handle(ctx, request) {
    if (request.resources.some((r) => !KAFKA_RESOURCE_TYPES.has(r.resourceType))) {
      const results = request.resources.map((r): DescribeConfigsResponseDescribeConfigsResult => ({
        resourceType: r.resourceType,
        resourceName: r.resourceName,
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: INVALID_REQUEST_MESSAGE,
        configs: [],
      }));
      return { throttleTimeMs: 0, results };
    }
    const { broker, apiVersion } = ctx;
    const image = broker.controller.image;
    const layers = configLayers(broker.staticConfig ?? broker.config, image, broker.nodeId);
    const includeSynonyms = apiVersion >= 1 && request.includeSynonyms;
    const includeDocs = apiVersion >= 3 && request.includeDocumentation;

    const toWire = (e: ConfigEntry): DescribeConfigsResponseDescribeConfigsResourceResult => ({
      name: e.name,
      value: e.isSensitive ? null : e.value,
      readOnly: e.readOnly,
      isDefault: apiVersion === 0 && e.source === ConfigSource.DEFAULT_CONFIG,
      configSource: apiVersion >= 1 ? e.source : -1,
      isSensitive: e.isSensitive,
      synonyms: apiVersion >= 1 ? e.synonyms : [],
      configType: apiVersion >= 3 ? e.configType : 0,
      documentation: apiVersion >= 3 ? e.documentation : null,
    });

    const results = request.resources.map((resource): DescribeConfigsResponseDescribeConfigsResult => {
      const keys =
        resource.configurationKeys === null || resource.configurationKeys.length === 0
          ? null
          : new Set(resource.configurationKeys);
      const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
      const error = (errorCode: number, errorMessage: string | null): DescribeConfigsResponseDescribeConfigsResult => ({
        ...base,
        errorCode,
        errorMessage,
        configs: [],
      });
      const ok = (entries: ConfigEntry[]): DescribeConfigsResponseDescribeConfigsResult => ({
        ...base,
        errorCode: 0,
        errorMessage: null,
        configs: entries.map(toWire),
      });
      const wanted = (names: string[]): string[] => (keys ? names.filter((n) => keys.has(n)) : names);

      switch (resource.resourceType) {
        case ConfigResourceType.TOPIC: {
          const invalid = validateTopicName(resource.resourceName);
          if (invalid) return error(invalid.errorCode, invalid.errorMessage);
          const topic = image.topicsByName.get(resource.resourceName);
          if (!topic) return error(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null);
          const names = wanted(Object.keys(TOPIC_CONFIGS).sort());
          return ok(names.map((n) => describeTopicConfig(layers, topic.configs, n, includeSynonyms, includeDocs)));
        }
        case ConfigResourceType.BROKER: {
          const perBroker = resource.resourceName !== '';
          if (perBroker) {
            const problem = checkBrokerResourceName(resource.resourceName, broker.nodeId, true);
            if (problem) return error(ErrorCode.INVALID_REQUEST, problem);
          }
          const names = wanted(brokerConfigNames(layers, perBroker));
          return ok(names.map((n) => describeBrokerConfig(layers, n, perBroker, includeSynonyms, includeDocs)));
        }
        case ConfigResourceType.BROKER_LOGGER: {
          if (resource.resourceName === '') return error(ErrorCode.INVALID_REQUEST, 'Broker id must not be empty');
          const problem = checkBrokerResourceName(resource.resourceName, broker.nodeId, false);
          if (problem) return error(ErrorCode.INVALID_REQUEST, problem);
          return ok(loggerEntries(broker.loggers, ctx.log).filter((e) => !keys || keys.has(e.name)));
        }
        default:
          return error(ErrorCode.INVALID_REQUEST, `Unsupported resource type: ${resource.resourceType}`);
      }
    });
    return { throttleTimeMs: 0, results };
  },
});
