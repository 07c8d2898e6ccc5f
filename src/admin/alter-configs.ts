/**
 * The shared path of AlterConfigs (legacy: replace a resource's whole config set) and
 * IncrementalAlterConfigs (SET / DELETE / APPEND / SUBTRACT), following Kafka's
 * broker-side preprocessing and then its controller: a resource named twice, a config
 * key named twice or a null value (other than DELETE) get INVALID_REQUEST; broker
 * resources must name this node (or be empty: the cluster default; a request another
 * broker forwarded here in an Envelope was addressed to that broker, so only the
 * name's form is checked, as Kafka's controller does) and may change only
 * dynamic configs, with valid values (else INVALID_REQUEST); topic configs are checked
 * by the controller (unknown topic UNKNOWN_TOPIC_OR_PARTITION, bad config
 * INVALID_CONFIG). Changes are committed as ConfigRecords unless validateOnly, and
 * answered once applied (NOT_CONTROLLER when no active controller takes them).
 * BROKER_LOGGER levels change on this node only (admin/broker-loggers.ts), never through the
 * metadata log. A broker that forwards config changes answers its own part first
 * (`preprocessAlterConfigs`: form checks, logger levels, broker resources naming another node)
 * and forwards the rest (alter-configs-forwarding.ts), as Kafka's broker. Left out:
 * client-metrics and group resources.
 */
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { BrokerServices } from '../server/services.js';
import { ConfigResourceType } from '../metadata/image.js';
import { AlterConfigOp, type CommandResult, type ConfigOperation } from '../metadata/controller.js';
import type { MetadataRecord } from '../metadata/records.js';
import { TOPIC_CONFIGS } from '../metadata/topic-configs.js';
import { BROKER_CONFIG_SCHEMA, validateDynamicBrokerConfigs } from './broker-config-schema.js';
import { brokerIdFormProblem, checkBrokerResourceName } from './resource-names.js';
import { alterLoggerLevels } from './broker-loggers.js';
import { retentionProblem } from '../common/config-validate.js';

export interface AlterResource {
  resourceType: number;
  resourceName: string;
  /** For legacy AlterConfigs every op is SET. */
  ops: ConfigOperation[];
}

export interface AlterOutcome {
  errorCode: number;
  errorMessage: string | null;
}

const OK: AlterOutcome = { errorCode: 0, errorMessage: null };
const invalid = (errorMessage: string): AlterOutcome => ({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage });

function listSchema(resourceType: number, name: string): { isList: boolean; value: string | null } {
  if (resourceType === ConfigResourceType.TOPIC) {
    const def = TOPIC_CONFIGS[name];
    return { isList: def?.kind === 'list', value: def?.default ?? null };
  }
  const def = BROKER_CONFIG_SCHEMA.get(name);
  return { isList: def?.type === 'list', value: def?.default ?? null };
}

/** The config map a resource would have after `records`. */
function after(current: ReadonlyMap<string, string>, records: MetadataRecord[]): Map<string, string> {
  const out = new Map(current);
  for (const r of records) {
    if (r.type !== 'ConfigRecord') continue;
    if (r.data.value === null) out.delete(r.data.name);
    else out.set(r.data.name, r.data.value);
  }
  return out;
}

const keyOf = (r: AlterResource): string => `${r.resourceType}:${r.resourceName}`;

function countResources(resources: readonly AlterResource[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(keyOf(r), (counts.get(keyOf(r)) ?? 0) + 1);
  return counts;
}

/** Kafka's checks of the request's form: a resource named twice, a key named twice, a null value. */
function formProblem(resource: AlterResource, counts: Map<string, number>, incremental: boolean): AlterOutcome | null {
  if ((counts.get(keyOf(resource)) ?? 0) > 1) return invalid('Each resource must appear at most once.');
  const names = resource.ops.map((o) => o.name);
  if (new Set(names).size !== names.length) return invalid('Error due to duplicate config keys');
  const nullUpdates = resource.ops
    .filter((o) => o.value === null && (!incremental || o.op !== AlterConfigOp.DELETE))
    .map((o) => o.name);
  if (nullUpdates.length > 0) return invalid(`Null value not supported for : ${nullUpdates.join(', ')}`);
  return null;
}

/** Logger levels are this node's alone: set here, never through the metadata log. */
function alterLoggers(
  broker: BrokerServices,
  resource: AlterResource,
  incremental: boolean,
  validateOnly: boolean,
): AlterOutcome {
  if (!incremental) return invalid(`Unknown resource type ${resource.resourceType}`);
  const problem = checkBrokerResourceName(resource.resourceName, broker.nodeId, false);
  if (problem) return invalid(problem);
  if (!broker.loggers) return invalid('This node has no named loggers.');
  return alterLoggerLevels(broker.loggers, resource.ops, validateOnly) ?? OK;
}

/**
 * What a broker that forwards config changes answers itself, as Kafka's ConfigAdminManager.preprocess:
 * the form checks, logger levels (this node's), and broker resources that name another node. An
 * undefined entry goes to the active controller.
 */
export function preprocessAlterConfigs(
  broker: BrokerServices,
  resources: readonly AlterResource[],
  incremental: boolean,
  validateOnly: boolean,
): Array<AlterOutcome | undefined> {
  const counts = countResources(resources);
  return resources.map((resource) => {
    const problem = formProblem(resource, counts, incremental);
    if (problem) return problem;
    if (resource.resourceType === ConfigResourceType.BROKER_LOGGER)
      return alterLoggers(broker, resource, incremental, validateOnly);
    if (resource.resourceType === ConfigResourceType.BROKER && resource.resourceName !== '') {
      const misaddressed = checkBrokerResourceName(resource.resourceName, broker.nodeId, false);
      if (misaddressed) return invalid(misaddressed.replace('Broker id must', 'Node id must'));
    }
    return undefined;
  });
}

/**
 * Kafka builds the whole config the change would leave in force (static, then the cluster default,
 * then this broker's own) and refuses a retention time of 0 there, with its requirement's message;
 * negative values are unlimited.
 */
function retentionTimeProblem(
  broker: BrokerServices,
  resourceName: string,
  next: ReadonlyMap<string, string>,
): string | null {
  const own =
    resourceName === '' ? broker.controller.resourceConfigs(ConfigResourceType.BROKER, String(broker.nodeId)) : next;
  const defaults = resourceName === '' ? next : broker.controller.resourceConfigs(ConfigResourceType.BROKER, '');
  const merged = (broker.staticConfig ?? broker.config)
    .with(Object.fromEntries(defaults))
    .with(Object.fromEntries(own));
  return retentionProblem(merged) === null
    ? null
    : 'requirement failed: log.retention.ms must be unlimited (-1) or, greater than or equal to 1';
}

/** Alters each resource in turn; results are in request order. */
export async function alterConfigs(
  broker: BrokerServices,
  resources: AlterResource[],
  incremental: boolean,
  validateOnly: boolean,
  forwarded = false,
): Promise<AlterOutcome[]> {
  const controller = broker.controller;
  const counts = countResources(resources);
  const dynamicRetentionProblem = (resourceName: string, next: ReadonlyMap<string, string>): string | null =>
    retentionTimeProblem(broker, resourceName, next);

  const outcomes: AlterOutcome[] = [];
  for (const resource of resources) outcomes.push(await alterOne(resource));
  return outcomes;

  async function alterOne(resource: AlterResource): Promise<AlterOutcome> {
    const problem = formProblem(resource, counts, incremental);
    if (problem) return problem;
    if (resource.resourceType === ConfigResourceType.BROKER_LOGGER)
      return alterLoggers(broker, resource, incremental, validateOnly);
    if (!controller.isActive())
      return {
        errorCode: ErrorCode.NOT_CONTROLLER,
        errorMessage: 'This is not the correct controller for this cluster.',
      };
    const { resourceType, resourceName } = resource;
    let result: CommandResult<null>;
    switch (resourceType) {
      case ConfigResourceType.TOPIC:
        result = incremental
          ? controller.incrementalAlterConfigs(resourceType, resourceName, resource.ops, (n) =>
              listSchema(resourceType, n),
            )
          : controller.replaceConfigs(
              resourceType,
              resourceName,
              new Map(resource.ops.map((o) => [o.name, o.value ?? ''])),
            );
        break;
      case ConfigResourceType.BROKER: {
        if (resourceName !== '') {
          const problem = forwarded
            ? brokerIdFormProblem(resourceName)
            : checkBrokerResourceName(resourceName, broker.nodeId, false);
          if (problem) return invalid(problem.replace('Broker id must', 'Node id must'));
        }
        for (const o of resource.ops) {
          if (o.op < AlterConfigOp.SET || o.op > AlterConfigOp.SUBTRACT)
            return invalid(`Unknown operations type ${o.op}`);
        }
        result = incremental
          ? controller.incrementalAlterConfigs(resourceType, resourceName, resource.ops, (n) =>
              listSchema(resourceType, n),
            )
          : controller.replaceConfigs(
              resourceType,
              resourceName,
              new Map(resource.ops.map((o) => [o.name, o.value ?? ''])),
            );
        if (result.ok) {
          const next = after(controller.resourceConfigs(resourceType, resourceName), result.records);
          const problem =
            validateDynamicBrokerConfigs(next, resourceName !== '') ?? dynamicRetentionProblem(resourceName, next);
          if (problem) return invalid(problem);
        }
        break;
      }
      default:
        return invalid(`Unknown resource type ${resourceType}`);
    }
    if (!result.ok) return { errorCode: result.error.errorCode, errorMessage: result.error.errorMessage };
    if (validateOnly) return OK;
    const committed = await controller.commitAndWait(result.records);
    return committed === 0
      ? OK
      : { errorCode: committed, errorMessage: 'This is not the correct controller for this cluster.' };
  }
}
