/**
 * docker/grafana-dashboard.json queries only metrics a broker's /metrics exposes: every
 * metric name in every panel expression must be a family /metrics declares (# TYPE).
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { brokerFor } from '../test/helpers/broker.js';

interface Panel {
  title: string;
  targets?: Array<{ expr: string }>;
}

const dashboard = JSON.parse(
  readFileSync(fileURLToPath(new URL('./grafana-dashboard.json', import.meta.url)), 'utf8'),
) as { panels: Panel[] };
const METRIC_NAME = /\b(?:kafka|process|nodejs)_[a-z0-9_]+\b/g;

t.test('every metric the Grafana dashboard queries is exposed', async (t) => {
  const running = await brokerFor(t, { config: { 'metrics.listener': 'http://127.0.0.1:0' } });
  const text = await (await fetch(`http://127.0.0.1:${running.broker.ops!.address!.port}/metrics`)).text();
  const exposed = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
  t.ok(exposed.size > 30, `${exposed.size} families exposed`);
  let queried = 0;
  for (const panel of dashboard.panels) {
    const exprs = (panel.targets ?? []).map((target) => target.expr);
    t.ok(exprs.length > 0, `${panel.title} has a query`);
    for (const expr of exprs) {
      const names = expr.match(METRIC_NAME) ?? [];
      t.ok(names.length > 0, `${panel.title}: ${expr} names a metric`);
      for (const name of names) {
        queried++;
        t.ok(exposed.has(name), `${panel.title}: ${name} is exposed`);
      }
    }
  }
  t.ok(queried >= 15, `${queried} metric references checked`);
});
