/**
 * DescribeLogDirs (key 35), versions 0-4.
 *
 * One result per configured log dir (absolute path) with the hosted partitions asked
 * for (a null topic list means all), each with its size in bytes, offset lag 0 and not
 * a future replica; topics with no matching partition are left out. v4 adds the file
 * system's total and usable bytes (statfs). A dir that cannot be read gets
 * KAFKA_STORAGE_ERROR, and so does a dir that failed while serving (its partitions are
 * offline; Kafka lists no topics for it). Each partition shows under the dir its log lives in; logs kept
 * in memory (the embedded in-memory mode) show under the first dir.
 */
import { statfsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  DescribeLogDirsApi,
  type DescribeLogDirsResponseDescribeLogDirsResult,
  type DescribeLogDirsResponseDescribeLogDirsTopic,
} from '../../protocol/generated/messages/35-describe-log-dirs.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defineHandler } from './handler.js';

export const describeLogDirsHandler = defineHandler({
  api: DescribeLogDirsApi,
  handle(ctx, request) {
    const { broker, apiVersion } = ctx;
    const wanted =
      request.topics === null ? null : new Map(request.topics.map((t) => [t.topic, new Set(t.partitions)]));
    const dirs = [...new Set(broker.config.logDirs().map((d) => resolve(d)))];
    const topicsByDir = new Map<string, Map<string, DescribeLogDirsResponseDescribeLogDirsTopic>>(
      dirs.map((d) => [d, new Map()]),
    );
    for (const p of broker.replicas.all()) {
      if (wanted && !wanted.get(p.topic)?.has(p.index)) continue;
      const byTopic = topicsByDir.get(p.log.logDir?.() ?? '') ?? topicsByDir.get(dirs[0]!);
      if (!byTopic) continue;
      let topic = byTopic.get(p.topic);
      if (!topic) {
        topic = { name: p.topic, partitions: [] };
        byTopic.set(p.topic, topic);
      }
      topic.partitions.push({
        partitionIndex: p.index,
        partitionSize: BigInt(p.log.size()),
        offsetLag: 0n,
        isFutureKey: false,
      });
    }
    const sortedTopics = (
      byTopic: Map<string, DescribeLogDirsResponseDescribeLogDirsTopic>,
    ): DescribeLogDirsResponseDescribeLogDirsTopic[] => {
      for (const t of byTopic.values()) t.partitions.sort((a, b) => a.partitionIndex - b.partitionIndex);
      return [...byTopic.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    };

    const failed = new Set((broker.replicas.logDirs() ?? []).filter((d) => d.offline).map((d) => resolve(d.path)));
    const results = dirs.map((logDir): DescribeLogDirsResponseDescribeLogDirsResult => {
      if (failed.has(logDir))
        return { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, logDir, topics: [], totalBytes: -1n, usableBytes: -1n };
      try {
        const stats = statfsSync(logDir);
        return {
          errorCode: 0,
          logDir,
          topics: sortedTopics(topicsByDir.get(logDir) ?? new Map()),
          totalBytes: apiVersion >= 4 ? BigInt(stats.blocks) * BigInt(stats.bsize) : -1n,
          usableBytes: apiVersion >= 4 ? BigInt(stats.bavail) * BigInt(stats.bsize) : -1n,
        };
      } catch {
        return { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, logDir, topics: [], totalBytes: -1n, usableBytes: -1n };
      }
    });
    return { throttleTimeMs: 0, errorCode: 0, results };
  },
});
