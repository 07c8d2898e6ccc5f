/** The shape of a broker config's entry in the table (config-defs.ts). */
import type { ConfigValidator } from './config-validators.js';

export type ConfigType = 'int' | 'long' | 'boolean' | 'string' | 'list' | 'double' | 'password' | 'class';

export interface ConfigOptions {
  /** Range or choice beyond the type. */
  validator?: ConfigValidator;
  /** May be changed at run time with AlterConfigs / IncrementalAlterConfigs. */
  dynamic?: boolean;
  /** Dynamic for one broker only, not as the cluster default (implies dynamic). */
  perBrokerOnly?: boolean;
}

export interface ConfigDef {
  type: ConfigType;
  default: string | null;
  doc: string;
  validator: ConfigValidator | null;
  dynamic: boolean;
  perBrokerOnly: boolean;
}
