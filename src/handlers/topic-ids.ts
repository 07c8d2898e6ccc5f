/**
 * Topic ids in requests that name topics by id only (Produce v13, OffsetCommit v10,
 * OffsetFetch v10, as Fetch v13+): resolving them against the metadata image, and naming
 * topics by id in answers. An id the image does not know is UNKNOWN_TOPIC_ID, as on Kafka.
 */
import type { MetadataImage } from '../metadata/image.js';

export interface ResolvedTopics<T> {
  /** Topics whose id the image knows, each with its name. */
  known: Array<{ topic: T; name: string; topicId: string }>;
  /** Topics whose id the image does not know. */
  unknown: T[];
}

export function resolveTopicIds<T extends { topicId: string }>(
  image: MetadataImage,
  topics: readonly T[],
): ResolvedTopics<T> {
  const known: ResolvedTopics<T>['known'] = [];
  const unknown: T[] = [];
  for (const topic of topics) {
    const found = image.topicsById.get(topic.topicId);
    if (found) known.push({ topic, name: found.name, topicId: found.topicId });
    else unknown.push(topic);
  }
  return { known, unknown };
}

/** The id of a topic by name, or undefined when no such topic exists any more. */
export function topicIdOf(image: MetadataImage, name: string): string | undefined {
  return image.topicsByName.get(name)?.topicId;
}
