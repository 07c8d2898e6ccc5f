/** HTML building for the web console: escaping, the page layout and tables. No external assets. */
export type Html = { readonly html: string };

export function raw(html: string): Html {
  return { html };
}

export function escape(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Tagged template: interpolated values are escaped unless they are Html (or arrays of it). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return { html: out };
}

function render(value: unknown): string {
  if (Array.isArray(value)) return value.map(render).join('');
  if (value !== null && typeof value === 'object' && 'html' in value) return (value as Html).html;
  return escape(value);
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:10px 20px;display:flex;gap:20px;align-items:center}
header a{color:#cfe0ff;text-decoration:none}header strong{font-size:16px;margin-right:10px}
main{padding:16px 20px}h1{font-size:20px;margin:4px 0 12px}h2{font-size:16px;margin:20px 0 8px}
table{border-collapse:collapse;background:#fff;margin-bottom:12px}th,td{border:1px solid #dde1e8;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef1f6}td.num{text-align:right;font-variant-numeric:tabular-nums}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{background:#fff;border:1px solid #dde1e8;padding:10px 14px;min-width:120px}
.card b{display:block;font-size:22px}.bad{color:#b00020}.ok{color:#137333}
form.inline{display:flex;gap:8px;flex-wrap:wrap;align-items:end;background:#fff;border:1px solid #dde1e8;padding:10px;margin-bottom:12px}
label{display:flex;flex-direction:column;font-size:12px;color:#555}input,select,textarea{font:inherit;padding:3px 5px}
pre{margin:0;white-space:pre-wrap;word-break:break-all;max-width:700px}.notice{background:#fff8e1;border:1px solid #f0d68a;padding:8px 12px;margin-bottom:12px}
.error{background:#fdecea;border:1px solid #f5b5ae;padding:8px 12px;margin-bottom:12px}
`;

export function page(title: string, body: Html, readOnly: boolean): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>${title} &middot; Gregor console</title>
        <style>
          ${raw(STYLE)}
        </style>
      </head>
      <body>
        <header>
          <strong>Gregor console</strong><a href="/ui">Overview</a
          ><a href="/ui/groups">Consumer groups</a
          >${readOnly ? raw('<span>(read-only)</span>') : html`<a href="/ui/produce">Produce</a>`}
        </header>
        <main>${body}</main>
      </body>
    </html>`.html;
}

export function table(columns: string[], rows: unknown[][], numeric: Set<number> = new Set()): Html {
  return html`<table>
    <thead>
      <tr>
        ${columns.map((c) => html`<th>${c}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (row) =>
          html`<tr>
            ${row.map((cell, i) => (numeric.has(i) ? html`<td class="num">${cell}</td>` : html`<td>${cell}</td>`))}
          </tr>`,
      )}
    </tbody>
  </table>`;
}
