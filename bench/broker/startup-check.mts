import { startBroker, nodeStart, rssMiB } from './procs.js';
const base = await nodeStart();
const results: string[] = [];
for (let i = 0; i < 5; i++) {
  const b = await startBroker();
  const ms = b.readyAt - b.spawnedAt;
  await new Promise((r) => setTimeout(r, 1500));
  const rss = rssMiB(b.child.pid!);
  results.push(`${ms.toFixed(0)}ms rss=${rss.rss.toFixed(0)}MiB cpu=${(b.readyCpu * 1000).toFixed(0)}ms`);
  await b.stop();
}
console.log('node -e:', base, '\n', results.join('\n '));
