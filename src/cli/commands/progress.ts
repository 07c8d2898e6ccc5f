/** A one-line progress display on a terminal: messages, bytes, rate and, when the total is known, a bar. */
import type { WriteStream } from 'node:tty';

const WIDTH = 30;

export class ProgressLine {
  private readonly started = Date.now();
  private lastDraw = 0;

  constructor(
    private readonly stream: WriteStream,
    private readonly totalBytes: number,
  ) {}

  update(messages: number, bytes: number, force = false): void {
    const now = Date.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const seconds = Math.max(0.001, (now - this.started) / 1000);
    const fraction = this.totalBytes > 0 ? Math.min(1, bytes / this.totalBytes) : 0;
    const filled = Math.round(fraction * WIDTH);
    const bar =
      this.totalBytes > 0
        ? `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% `
        : '';
    const line = `${bar}${messages} msgs  ${formatBytes(bytes)}  ${Math.round(messages / seconds)} msg/s  ${formatBytes(bytes / seconds)}/s`;
    this.stream.write(`\r${line.padEnd(Math.min(this.stream.columns ?? 80, 100) - 1)}`);
  }

  finish(): void {
    this.stream.write('\n');
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
