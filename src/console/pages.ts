/**
 * The console's pages, rendered on the server from the protocol client: overview
 * (brokers, controller, quorum, topics, under-replicated and offline partitions), a
 * topic (partitions, configs, message browser), consumer groups (state, members, lag,
 * offset reset with a dry run first) and a produce form.
 */
import type { Cluster } from '../client/cluster.js';
import { clusterInfo } from '../client/cluster-info.js';
import { describeTopic } from '../client/topics.js';
import { describeGroup, listGroups, resetOffsets, type PlannedReset, type ResetTarget } from '../client/groups.js';
import { Producer } from '../client/producer.js';
import { browse, type BrowseRequest } from './browse.js';
import { html, raw, table, type Html } from './html.js';

export async function overviewPage(cluster: Cluster): Promise<Html> {
  const [info, metadata] = await Promise.all([clusterInfo(cluster), cluster.metadata(null)]);
  const topics = metadata.topics
    .filter((t) => t.errorCode === 0)
    .sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));
  const partitions = topics.flatMap((t) => t.partitions);
  const underReplicated = partitions.filter((p) => p.isrNodes.length < p.replicaNodes.length).length;
  const offline = partitions.filter((p) => p.leaderId < 0).length;
  const card = (label: string, value: unknown, bad = false): Html =>
    html`<div class="card">${label}<b class="${bad ? 'bad' : ''}">${value}</b></div>`;
  return html`<h1>Cluster ${info.clusterId ?? ''}</h1>
    <div class="cards">
      ${card('Brokers', info.brokers.length)}${card('Controller', info.controllerId)}${card('Topics', topics.length)}${card('Partitions', partitions.length)}${card('Under-replicated', underReplicated, underReplicated > 0)}${card('Offline', offline, offline > 0)}
    </div>
    <h2>Brokers</h2>
    ${table(
      ['id', 'host', 'port', 'rack'],
      info.brokers.map((b) => [b.id, b.host, b.port, b.rack ?? '-']),
    )}
    <h2>Metadata quorum</h2>
    ${
      info.quorum
        ? html`<p>
              Leader ${info.quorum.leaderId}, epoch ${info.quorum.leaderEpoch}, high watermark
              ${info.quorum.highWatermark}
            </p>
            ${table(
              ['replica', 'role', 'log end offset', 'lag'],
              info.quorum.replicas.map((r) => [r.id, r.role, r.logEndOffset, r.lag]),
              new Set([2, 3]),
            )}`
        : html`<p>The cluster does not answer DescribeQuorum.</p>`
    }
    <h2>Topics</h2>
    ${table(
      ['name', 'partitions', 'replicas', 'under-replicated', 'internal'],
      topics.map((t) => [
        html`<a href="/ui/topics/${encodeURIComponent(t.name ?? '')}">${t.name}</a>`,
        t.partitions.length,
        t.partitions[0]?.replicaNodes.length ?? 0,
        t.partitions.filter((p) => p.isrNodes.length < p.replicaNodes.length).length,
        t.isInternal ? 'yes' : '',
      ]),
      new Set([1, 2, 3]),
    )}`;
}

export async function topicPage(cluster: Cluster, name: string, query: URLSearchParams): Promise<Html> {
  const detail = await describeTopic(cluster, name);
  const configs = detail.configs.filter((c) => c.source !== 'DEFAULT_CONFIG');
  const partition = Number(query.get('partition') ?? '0');
  const offsetText = query.get('offset') ?? '';
  const timeText = query.get('time') ?? '';
  const search = query.get('search') ?? '';
  const browsing = query.has('browse');
  let results: Html = html``;
  if (browsing) {
    const request: BrowseRequest = {
      topic: name,
      partition: Number.isInteger(partition) && partition >= 0 ? partition : 0,
      offset: /^\d+$/.test(offsetText) ? BigInt(offsetText) : null,
      timestampMs: timeText !== '' && !Number.isNaN(Date.parse(timeText)) ? BigInt(Date.parse(timeText)) : null,
      search,
      maxScan: Math.min(100_000, Math.max(1, Number(query.get('scan') ?? '10000') || 10_000)),
      maxResults: 200,
    };
    const found = await browse(cluster, request);
    results = html`<p id="browse-summary">
        Scanned ${found.scanned} message(s) from offset ${found.startOffset} (log end ${found.logEndOffset});
        ${found.messages.length} shown.
      </p>
      ${table(
        ['offset', 'timestamp', 'key', 'value', 'headers'],
        found.messages.map((m) => [
          m.offset,
          m.timestamp,
          m.key ?? '(null)',
          html`<pre>${m.value ?? '(null)'}</pre>`,
          m.headers.map((h) => `${h.key}=${h.value ?? ''}`).join(', '),
        ]),
      )}`;
  }
  return html`<h1>Topic ${detail.name}</h1>
    <p>Topic id ${detail.topicId}${detail.internal ? ' (internal)' : ''}</p>
    <h2>Partitions</h2>
    ${table(
      ['partition', 'leader', 'replicas', 'ISR', 'offline', 'log start', 'log end'],
      detail.partitionDetails.map((p) => [
        p.partition,
        p.leader,
        p.replicas.join(','),
        p.isr.join(','),
        p.offline.join(',') || '-',
        p.logStartOffset,
        p.logEndOffset,
      ]),
      new Set([0, 1, 5, 6]),
    )}
    <h2>Configs set on the topic</h2>
    ${
      configs.length > 0
        ? table(
            ['name', 'value', 'source'],
            configs.map((c) => [c.name, c.sensitive ? '(hidden)' : (c.value ?? ''), c.source]),
          )
        : html`<p>None: every config is the broker's default.</p>`
    }
    <h2>Messages</h2>
    <form class="inline" method="get" action="/ui/topics/${encodeURIComponent(name)}">
      <input type="hidden" name="browse" value="1" />
      <label
        >Partition<select name="partition">
          ${detail.partitionDetails.map((p) => html`<option value="${p.partition}" ${raw(p.partition === partition ? ' selected' : '')}>${p.partition}</option>`)}
        </select></label
      >
      <label>From offset<input name="offset" value="${offsetText}" size="8" placeholder="start" /></label>
      <label>Or from time<input name="time" value="${timeText}" size="22" placeholder="2026-01-31T12:00:00Z" /></label>
      <label>Search key, value, headers<input name="search" value="${search}" size="24" /></label>
      <label>Scan at most<input name="scan" value="${query.get('scan') ?? '10000'}" size="7" /></label>
      <button type="submit">Browse</button>
    </form>
    ${results}`;
}

export async function groupsPage(cluster: Cluster): Promise<Html> {
  const groups = await listGroups(cluster);
  const rows: unknown[][] = [];
  for (const g of groups) {
    const lag =
      g.protocolType === 'consumer' || g.protocolType === ''
        ? await describeGroup(cluster, g.groupId).then(
            (d) => d.totalLag,
            () => '-',
          )
        : '-';
    rows.push([html`<a href="/ui/groups/${encodeURIComponent(g.groupId)}">${g.groupId}</a>`, g.state, g.type, lag]);
  }
  return html`<h1>Consumer groups</h1>
    ${groups.length > 0 ? table(['group', 'state', 'type', 'total lag'], rows, new Set([3])) : html`<p>No groups.</p>`}`;
}

export async function groupPage(
  cluster: Cluster,
  groupId: string,
  readOnly: boolean,
  plan: { rows: PlannedReset[]; applied: boolean; target: string } | null,
): Promise<Html> {
  const d = await describeGroup(cluster, groupId);
  const planned = plan
    ? html`<div class="notice" id="reset-plan">
          ${plan.applied ? 'Offsets reset' : 'Dry run: nothing changed yet'} (${plan.target}).
        </div>
        ${table(
          ['topic', 'partition', 'current', 'new'],
          plan.rows.map((r) => [r.topic, r.partition, r.currentOffset, r.newOffset]),
          new Set([1, 2, 3]),
        )}${
          plan.applied
            ? html``
            : html`<form method="post" action="/ui/groups/${encodeURIComponent(groupId)}/reset">
                <input type="hidden" name="target" value="${plan.target}" /><input
                  type="hidden"
                  name="apply"
                  value="1"
                /><button type="submit" id="apply-reset">Apply this reset</button>
              </form>`
        }`
    : html``;
  const resetForm = readOnly
    ? html``
    : html`<h2>Reset offsets</h2>
        <form class="inline" method="post" action="/ui/groups/${encodeURIComponent(groupId)}/reset">
          <label
            >To<select name="target">
              <option value="earliest">earliest</option>
              <option value="latest">latest</option>
            </select></label
          >
          <button type="submit" id="dry-run">Dry run</button>
        </form>`;
  return html`<h1>Group ${d.groupId}</h1>
    <div class="cards">
      <div class="card">State<b>${d.state}</b></div>
      <div class="card">Members<b>${d.members.length}</b></div>
      <div class="card">Total lag<b id="total-lag">${d.totalLag}</b></div>
    </div>
    <h2>Members</h2>
    ${
      d.members.length > 0
        ? table(
            ['member', 'client', 'host', 'assignment'],
            d.members.map((m) => [m.memberId, m.clientId, m.host, m.assignment.join(', ')]),
          )
        : html`<p>No active members.</p>`
    }
    <h2>Offsets and lag</h2>
    ${table(
      ['topic', 'partition', 'committed', 'log end', 'lag', 'owner'],
      d.offsets.map((o) => [o.topic, o.partition, o.committedOffset, o.logEndOffset, o.lag, o.owner]),
      new Set([1, 2, 3, 4]),
    )}${planned}${resetForm}`;
}

export async function resetGroup(
  cluster: Cluster,
  groupId: string,
  target: string,
  apply: boolean,
): Promise<PlannedReset[]> {
  const chosen: ResetTarget = target === 'latest' ? { kind: 'latest' } : { kind: 'earliest' };
  return resetOffsets(cluster, groupId, chosen, null, !apply);
}

export function producePage(message: Html | null): Html {
  return html`<h1>Produce a message</h1>
    ${message ?? html``}
    <form class="inline" method="post" action="/ui/produce">
      <label>Topic<input name="topic" required /></label
      ><label>Partition (optional)<input name="partition" size="4" /></label> <label>Key<input name="key" /></label
      ><label>Value<textarea name="value" rows="3" cols="40"></textarea></label>
      <label>Headers (k=v, one per line)<textarea name="headers" rows="3" cols="20"></textarea></label>
      <button type="submit" id="send">Send</button>
    </form>`;
}

export async function produceMessage(cluster: Cluster, form: URLSearchParams): Promise<string> {
  const topic = form.get('topic') ?? '';
  const partitionText = (form.get('partition') ?? '').trim();
  const headers = (form.get('headers') ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.includes('='))
    .map((l) => ({ key: l.slice(0, l.indexOf('=')), value: Buffer.from(l.slice(l.indexOf('=') + 1)) }));
  const key = form.get('key') ?? '';
  const producer = new Producer(cluster, topic, { acks: -1, compression: 0 });
  const record = {
    key: key === '' ? null : Buffer.from(key),
    value: Buffer.from(form.get('value') ?? ''),
    headers,
    ...(partitionText !== '' ? { partition: Number(partitionText) } : {}),
  };
  const [result] = await producer.send([record]);
  return `Sent to ${topic} partition ${result?.partition} at offset ${result?.baseOffset}.`;
}
