/**
 * The report as one HTML file: styles inline, plots as inline SVG, no script, no
 * external reference. Tables scroll sideways on a phone; print keeps plots whole.
 */
import { esc } from './svg/core.js';
import { documentOf, type Block, type Cell, type Section } from './document.js';
import type { Report } from './model.js';

const CSS = `
:root{color-scheme:light}
*{box-sizing:border-box}
body{overflow-wrap:anywhere;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#fff;margin:0}
main{max-width:60rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0 0}
h2{font-size:1.2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
nav{font-size:.9rem;margin:.5rem 0 1rem}
nav a{margin-right:.8rem;color:#1f5fa8}
.scroll{overflow-x:auto;margin:.5rem 0}
table{border-collapse:collapse;font-size:.9rem;overflow-wrap:normal}
h3{font-size:.95rem;margin:1rem 0 .2rem}
th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f5f5f5}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.mark{background:#fff3bf;font-weight:600}
code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85rem}
pre{background:#f5f5f5;padding:.5rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
.ok{color:#1b6e20}.bad{color:#b00020;font-weight:600}.warn{color:#8a5300}
figure{margin:1rem 0;break-inside:avoid}
figure svg{max-width:100%;height:auto;display:block}
figcaption{font-size:.85rem;color:#555}
.plots{display:flex;flex-wrap:wrap;gap:1rem}
@media print{body{font-size:11pt}main{max-width:none;padding:0}nav{display:none}h2,h3{break-after:avoid}
table,figure{break-inside:avoid}table{overflow-wrap:anywhere;max-width:100%}.scroll{overflow:visible}a{color:inherit;text-decoration:none}}
`;

function cell(c: string | Cell, tag: 'td' | 'th'): string {
  if (typeof c === 'string') return `<${tag}>${esc(c)}</${tag}>`;
  const cls = [c.value !== undefined ? 'num' : '', c.mark ? 'mark' : ''].filter(Boolean).join(' ');
  return `<${tag}${cls ? ` class="${cls}"` : ''}${c.key ? ` data-key="${esc(c.key)}"` : ''}${c.value !== undefined ? ` data-value="${esc(String(c.value))}"` : ''}>${esc(c.text)}</${tag}>`;
}

function block(b: Block): string {
  switch (b.type) {
    case 'p': return `<p${b.tone ? ` class="${b.tone}"` : ''}>${esc(b.text)}</p>`;
    case 'code': return `<pre><code>${esc(b.text)}</code></pre>`;
    case 'list': { const tag = b.ordered ? 'ol' : 'ul'; return `<${tag}>${b.items.map((i) => `<li>${esc(i)}</li>`).join('')}</${tag}>`; }
    case 'plot': return `<figure id="plot-${esc(b.plot.id)}">${b.plot.svg}<figcaption>${esc(b.plot.caption)}</figcaption></figure>`;
    case 'table': {
      const head = b.head.some((h) => h !== '') ? `<thead><tr>${b.head.map((h) => cell(h, 'th')).join('')}</tr></thead>` : '';
      return `${b.caption ? `<h3>${esc(b.caption)}</h3>` : ''}<div class="scroll"><table>${head}<tbody>${b.rows.map((r) => `<tr>${r.map((c) => cell(c, 'td')).join('')}</tr>`).join('')}</tbody></table></div>`;
    }
  }
}

function section(s: Section): string {
  const body = s.id === 'plots' && s.blocks.every((b) => b.type === 'plot') ? `<div class="plots">${s.blocks.map(block).join('')}</div>` : s.blocks.map(block).join('\n');
  return `<section id="${esc(s.id)}"><h2>${esc(s.title)}</h2>\n${body}</section>`;
}

/** @example renderHtml(await gatherReport(repo, { rev: 'HEAD' })) // '<!doctype html>…' */
export function renderHtml(r: Report): string {
  const sections = documentOf(r);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(`mlv report: ${r.title}`)}</title>
<meta name="generator" content="mlv ${esc(r.generated.mlv)}">
<style>${CSS}</style></head>
<body><main>
<h1>${esc(r.title)}</h1>
<p>Model card of ${esc(r.commit.slice(0, 12))}, written by mlv from the version's own records.</p>
<nav>${sections.map((s) => `<a href="#${esc(s.id)}">${esc(s.title)}</a>`).join('')}</nav>
${sections.map(section).join('\n')}
</main></body></html>
`;
}
