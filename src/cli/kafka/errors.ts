/**
 * The errors of Kafka's tools (src/cli/kafka/): a tool's exit with its code and message, a
 * joptsimple-style option error, and a console producer input line that cannot be read.
 */

/** A tool's exit: what it prints to stderr (if anything) and its exit code. */
export class KafkaToolExit extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'KafkaToolExit';
  }
}

/** A joptsimple OptionException: the tool decides how to report it. */
export class KafkaOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KafkaOptionError';
  }
}

/** A console producer input line that cannot be read (LineMessageReader's KafkaException). */
export class LineReaderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LineReaderError';
  }
}

/** A failure a Kafka tool raises itself, with the Java exception class Kafka's tool throws for it. */
export class JavaError extends Error {
  constructor(
    readonly javaClass: string,
    message: string,
  ) {
    super(message);
    this.name = 'JavaError';
  }
}

/** IllegalArgumentException, what Kafka's tools throw for most bad requests they detect themselves. */
export function illegalArgument(message: string): JavaError {
  return new JavaError('java.lang.IllegalArgumentException', message);
}

/**
 * The mainNoExit of Kafka's Java tools (TopicCommand, DeleteRecordsCommand, LeaderElectionCommand):
 * the exception's message, then its stack trace, on stderr, exit 1. The trace's first line, the
 * exception itself, is printed; its frames are left out.
 */
export function mainFailure(err: JavaError): KafkaToolExit {
  return new KafkaToolExit(1, `${err.message}\n${err.javaClass}: ${err.message}`);
}

/**
 * A Kafka client that could not be created (KafkaAdminClient's "Failed to create new
 * KafkaAdminClient", KafkaProducer's "Failed to construct kafka producer", KafkaConsumer's "Failed to
 * construct kafka consumer"), with the exception that stopped it as its cause.
 */
export class ClientConstructionError extends JavaError {
  constructor(
    message: string,
    readonly causedBy: JavaError,
  ) {
    super('org.apache.kafka.common.KafkaException', message);
    this.name = 'ClientConstructionError';
  }

  /** Throwable.printStackTrace()'s text with the frames left out: the exception, then its cause. */
  trace(): string {
    return `${this.javaClass}: ${this.message}\nCaused by: ${this.causedBy.javaClass}: ${this.causedBy.message}`;
  }
}
