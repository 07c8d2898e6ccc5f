/**
 * Kafka's tools as users run them: the files bin/kafka/<tool>.sh (sh scripts running the built
 * bin/gregor.js), spawned with their arguments and stdin; stdout, stderr and exit code returned.
 */
import { fileURLToPath } from 'node:url';
import { run, type RunResult } from './external.js';

export const KAFKA_BIN = fileURLToPath(new URL('../../bin/kafka/', import.meta.url));

/** The tools' environment: no debug logging. */
export const TOOL_ENV = { GREGOR_LOG_LEVEL: '' };

/** bin/kafka/<tool>.sh with these arguments, as a shell would run it (its shebang). */
export function kafkaTool(tool: string, args: string[], input?: string): Promise<RunResult> {
  return run(`${KAFKA_BIN}${tool}.sh`, args, {
    ...(input === undefined ? {} : { input }),
    timeoutMs: 60_000,
    env: TOOL_ENV,
  });
}
