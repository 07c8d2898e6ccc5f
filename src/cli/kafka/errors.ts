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
