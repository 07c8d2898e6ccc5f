/**
 * Topic names as Kafka's tools match them: IncludeList (a Java regular expression matched
 * against the whole name; commas stand for `|`, spaces and surrounding quotes are dropped) and
 * Topic.isInternal (Kafka's internal topics).
 */
export { isInternalTopic } from '../../broker/internal-topics.js';

/** IncludeList: a whole-name matcher for `raw`; a pattern JavaScript cannot compile is an error. */
export function includeListMatcher(raw: string): (topic: string) => boolean {
  const regex = raw
    .trim()
    .replace(/,/g, '|')
    .replace(/ /g, '')
    .replace(/^["']+/, '')
    .replace(/["']+$/, '');
  let pattern: RegExp;
  try {
    pattern = new RegExp(`^(?:${regex})$`);
  } catch (err) {
    throw new Error(`${regex} is an invalid regex. (${err instanceof Error ? err.message : String(err)})`, {
      cause: err,
    });
  }
  return (topic) => pattern.test(topic);
}
