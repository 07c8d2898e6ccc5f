/**
 * The web console in a real browser: Debian's headless Chromium driven by
 * playwright-core against `gregor console` (the built binary) and a broker with real
 * data. Each page loads, the message browser finds a message by a value substring,
 * resetting a group's offsets (dry run, then apply) changes the lag shown, the produce
 * form writes a message, read-only mode refuses changes, and a screenshot of each page
 * is written under the test's temporary folder.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { brokerFor } from '../../test/helpers/broker.js';
import { Cluster } from '../client/cluster.js';
import { startConsole } from './server.js';

const CHROMIUM = '/usr/bin/chromium';
const bin = fileURLToPath(new URL('../../bin/gregor.js', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../../dist/bundle/cli.cjs', import.meta.url)));
const skip = !existsSync(CHROMIUM)
  ? 'Debian chromium is not installed (apt-get install chromium)'
  : !built
    ? 'dist/ is not built'
    : false;
const SHOTS = process.env['GREGOR_CONSOLE_SHOTS'] ?? mkdtempSync(join(tmpdir(), 'gregor-console-'));

async function seed(bootstrap: string): Promise<void> {
  const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'payments', numPartitions: 2 }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: 'payments',
    messages: Array.from({ length: 40 }, (_, i) => ({
      key: `user-${i % 5}`,
      value: JSON.stringify({ id: i, amount: i * 10, note: i === 17 ? 'needle-in-haystack' : 'plain' }),
      partition: i % 2,
      headers: { origin: 'seed' },
    })),
  });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: 'billing' });
  await consumer.connect();
  await consumer.subscribe({ topic: 'payments', fromBeginning: true });
  let seen = 0;
  await new Promise<void>((resolve, reject) => {
    consumer.run({ autoCommitThreshold: 1, eachMessage: async () => void (++seen === 40 && resolve()) }).catch(reject);
  });
  await consumer.disconnect();
}

/** Starts `gregor console` as users do and resolves with its URL once it listens. */
async function consoleProcess(bootstrap: string, extra: string[]): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, [bin, 'console', '-b', bootstrap, '-l', '127.0.0.1:0', ...extra], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /console on (http:\/\/\S+)/.exec(err);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`console exited with ${code}: ${err}`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

t.test('console pages in headless Chromium', { skip }, async (t) => {
  const { chromium } = await import('playwright-core');
  const broker = await brokerFor(t);
  await seed(broker.bootstrap);
  const running = await consoleProcess(broker.bootstrap, []);
  t.teardown(running.stop);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  t.teardown(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const base = running.url.replace(/\/ui$/, '');

  await page.goto(`${base}/ui`);
  t.match(await page.textContent('main'), /Brokers\s*1/);
  t.match(await page.textContent('main'), /Under-replicated\s*0/);
  t.ok(await page.isVisible('a[href="/ui/topics/payments"]'), 'the topic is listed');
  await page.screenshot({ path: join(SHOTS, 'overview.png'), fullPage: true });

  await page.click('a[href="/ui/topics/payments"]');
  t.match(await page.textContent('main'), /Topic payments/);
  await page.selectOption('select[name=partition]', '1');
  await page.fill('input[name=search]', 'needle-in');
  await page.click('button:has-text("Browse")');
  const summary = await page.textContent('#browse-summary');
  t.match(summary, /Scanned 20 message\(s\) from offset 0 \(log end 20\);\s+1 shown/);
  const found = await page.textContent('main table:last-of-type tbody');
  t.match(found, /"note": "needle-in-haystack"/, 'the JSON value is pretty-printed');
  t.match(found, /origin=seed/);
  await page.screenshot({ path: join(SHOTS, 'topic.png'), fullPage: true });

  await page.goto(`${base}/ui/groups`);
  t.match(await page.textContent('main'), /billing\s*Empty\s*classic\s*0/);
  await page.screenshot({ path: join(SHOTS, 'groups.png'), fullPage: true });
  await page.click('a[href="/ui/groups/billing"]');
  t.equal(await page.textContent('#total-lag'), '0');
  await page.selectOption('select[name=target]', 'earliest');
  await page.click('#dry-run');
  t.match(await page.textContent('#reset-plan'), /Dry run/);
  t.equal(await page.textContent('#total-lag'), '0', 'a dry run changes nothing');
  await page.click('#apply-reset');
  t.match(await page.textContent('#reset-plan'), /Offsets reset/);
  t.equal(await page.textContent('#total-lag'), '40', 'the lag shows the reset');
  await page.screenshot({ path: join(SHOTS, 'group.png'), fullPage: true });

  await page.goto(`${base}/ui/produce`);
  await page.fill('input[name=topic]', 'payments');
  await page.fill('input[name=partition]', '0');
  await page.fill('textarea[name=value]', 'typed in the browser');
  await page.click('#send');
  t.match(await page.textContent('#produced'), /Sent to payments partition 0 at offset 20/);
  await page.screenshot({ path: join(SHOTS, 'produce.png'), fullPage: true });

  await page.goto(`${base}/ui/topics/missing`);
  t.match(await page.textContent('.error'), /UNKNOWN_TOPIC_OR_PARTITION/);
  t.comment(`screenshots in ${SHOTS}`);
});

t.test(
  'read-only mode refuses changes and hides their forms',
  { skip: built ? false : 'dist/ is not built' },
  async (t) => {
    const broker = await brokerFor(t);
    await seed(broker.bootstrap);
    const cluster = new Cluster({ bootstrap: [broker.bootstrap] });
    const running = await startConsole({ cluster, readOnly: true, host: '127.0.0.1', port: 0 });
    t.teardown(async () => {
      await running.close();
      cluster.close();
    });
    const group = await fetch(`${running.url}/groups/billing`);
    t.equal(group.status, 200);
    const body = await group.text();
    t.notMatch(body, /dry-run/, 'no reset form');
    t.notMatch(body, /\/ui\/produce/, 'no produce link');
    const reset = await fetch(`${running.url}/groups/billing/reset`, {
      method: 'POST',
      body: 'target=earliest&apply=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    t.equal(reset.status, 403);
    const produce = await fetch(`${running.url}/produce`, { method: 'POST', body: 'topic=payments&value=x' });
    t.equal(produce.status, 403);
    const lag = await fetch(`${running.url}/groups/billing`).then((r) => r.text());
    t.match(lag, /id="total-lag">0</, 'nothing changed');
  },
);
