/**
 * The output of kafka-transactions.sh (Kafka's TransactionsCommand): its tables
 * (ToolsUtils.prettyPrintTable) and its failure line (printErrorAndExit).
 */
import { javaMessage } from './messages.js';
import { KafkaToolExit } from './options.js';

/** TransactionsCommand.printErrorAndExit: the failure on stderr, exit 1. */
export function failure(what: string, err?: unknown): KafkaToolExit {
  if (err instanceof KafkaToolExit) return err;
  return new KafkaToolExit(
    1,
    err === undefined ? what : `${what}: ${javaMessage(err)}. Enable debug logging for additional detail.`,
  );
}

/** ToolsUtils.prettyPrintTable: each column as wide as its widest cell, a tab after each. */
export function table(headers: readonly string[], rows: readonly string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string => `${cells.map((c, i) => `${c.padEnd(widths[i]!)}\t`).join('')}\n`;
  return line(headers) + rows.map(line).join('');
}
