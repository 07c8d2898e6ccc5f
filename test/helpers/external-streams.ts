/**
 * Test helper for the fault tests: acks=all streams from clients other than kafkajs, each on one
 * partition, recording what was acknowledged and what failed (outcome unknown):
 * - PythonStream runs test/helpers/fault_producers.py (python3-confluent-kafka with idempotence, or
 *   kafka-python with acks='all' and no retries) until its stdin closes;
 * - KcatStream runs `kcat -P -X acks=all` again and again on batches of lines: a batch counts as
 *   acknowledged when kcat exits 0 without a delivery error (connection errors to a dead node are only
 *   logged), else every line of it as failed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEBIAN_PYTHON, run } from './external.js';

const SCRIPT = fileURLToPath(new URL('./fault_producers.py', import.meta.url));

export interface StreamOutcome {
  partition: number;
  acked: string[];
  failed: string[];
  /** The client's last word (the python script's DONE line, or kcat's errors). */
  notes: string[];
}

export class PythonStream {
  readonly outcome: StreamOutcome;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: 'confluent' | 'kafka-python',
    private readonly bootstrap: string,
    private readonly topic: string,
    partition: number,
    private readonly prefix: string,
  ) {
    this.outcome = { partition, acked: [], failed: [], notes: [] };
  }

  start(): void {
    const args = [SCRIPT, this.client, this.bootstrap, this.topic, String(this.outcome.partition), this.prefix];
    const child = spawn(DEBIAN_PYTHON, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    let partial = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) this.record(line);
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4000) stderr += chunk.toString('utf8');
    });
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        if (code !== 0) this.outcome.notes.push(`exit ${code}: ${stderr.slice(-1000)}`);
        resolve();
      }),
    );
  }

  private record(line: string): void {
    const [kind, value] = line.split(' ', 2);
    if (kind === 'ACK' && value) this.outcome.acked.push(value);
    else if (kind === 'FAIL' && value) this.outcome.failed.push(value);
    else if (line.trim() !== '') this.outcome.notes.push(line);
  }

  /** Closes stdin (the script flushes and prints DONE); SIGKILL after `graceMs`. */
  async stop(graceMs = 30000): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.stdin?.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
    this.child = null;
  }
}

export class KcatStream {
  readonly outcome: StreamOutcome;
  private running = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly bootstrap: string,
    private readonly topic: string,
    partition: number,
    private readonly prefix: string,
    private readonly batch = 20,
    /** Between two kcat runs (each is a process start). */
    private readonly pauseMs = 200,
  ) {
    this.outcome = { partition, acked: [], failed: [], notes: [] };
  }

  start(): void {
    this.running = true;
    this.loop = this.produceBatches();
  }

  private async produceBatches(): Promise<void> {
    for (let b = 0; this.running && b < 100_000; b++) {
      const values = Array.from({ length: this.batch }, (_, i) => `${this.prefix}-${b * this.batch + i}`);
      const result = await run(
        'kcat',
        [
          ...['-P', '-b', this.bootstrap, '-t', this.topic, '-p', String(this.outcome.partition)],
          ...['-X', 'acks=all', '-X', 'max.in.flight=1', '-X', 'message.timeout.ms=30000'],
        ],
        { input: `${values.join('\n')}\n`, timeoutMs: 45_000 },
      );
      if (result.code === 0 && !/Delivery failed|Failed to produce/i.test(result.stderr))
        this.outcome.acked.push(...values);
      else {
        this.outcome.failed.push(...values);
        if (this.outcome.notes.length < 5)
          this.outcome.notes.push(`kcat exit ${result.code}: ${result.stderr.slice(0, 300)}`);
      }
      await new Promise((r) => setTimeout(r, this.pauseMs));
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}
