/**
 * The report as Markdown (GitHub-flavoured tables) for a repository's docs or a pull
 * request; plots are separate SVG files, linked relative to the document.
 */
import { documentOf, type Block, type Cell } from './document.js';
import type { Report } from './model.js';

export interface MarkdownReport {
  text: string;
  /** name (relative to the document's directory) → SVG text. */
  files: Array<{ name: string; content: string }>;
}

/** Characters that would end a table cell or start markup are escaped; newlines become spaces. */
export function mdText(s: string): string {
  return s.replace(/\r?\n/g, ' ').replace(/([\\`*_{}[\]<>#|!])/g, '\\$1');
}

const cellText = (c: string | Cell) => (typeof c === 'string' ? mdText(c) : c.mark ? `**${mdText(c.text)}**` : mdText(c.text));

function block(b: Block, plotDir: string, files: MarkdownReport['files']): string {
  switch (b.type) {
    case 'p': return b.tone === 'bad' || b.tone === 'warn' ? `> **${mdText(b.text)}**` : mdText(b.text);
    case 'code': return '```sh\n' + b.text + '\n```';
    case 'list': return b.items.map((i, k) => `${b.ordered ? `${k + 1}.` : '-'} ${mdText(i)}`).join('\n');
    case 'plot': {
      const name = `${plotDir}/${b.plot.id}.svg`;
      files.push({ name, content: b.plot.svg });
      return `![${mdText(b.plot.title)}](${encodeURI(name)})\n\n*${mdText(b.plot.caption)}*`;
    }
    case 'table': {
      const head = b.head.map((h) => mdText(h) || ' ');
      const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...b.rows.map((r) => `| ${r.map(cellText).join(' | ')} |`)];
      return (b.caption ? `**${mdText(b.caption)}**\n\n` : '') + lines.join('\n');
    }
  }
}

/** @example renderMarkdown(report, 'report_files') // { text: '# …', files: [{ name: 'report_files/roc.svg', … }] } */
export function renderMarkdown(r: Report, plotDir: string): MarkdownReport {
  const files: MarkdownReport['files'] = [];
  const parts = [`# ${mdText(r.title)}`, `Model card of \`${r.commit.slice(0, 12)}\`, written by mlv from the version's own records.`];
  for (const s of documentOf(r)) {
    parts.push(`## ${mdText(s.title)}`);
    for (const b of s.blocks) parts.push(block(b, plotDir, files));
  }
  return { text: parts.join('\n\n') + '\n', files };
}
