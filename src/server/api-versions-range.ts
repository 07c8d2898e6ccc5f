/** An advertised API version range, as ApiVersions reports it. */
export interface ApiVersionRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}
