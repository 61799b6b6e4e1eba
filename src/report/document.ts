/**
 * The report as a document: sections of paragraphs, tables, lists and plots. The HTML
 * and Markdown renderers only lay these out, so both forms say exactly the same.
 */
import type { Plot, Report } from './model.js';

export interface Cell {
  text: string;
  /** The exact number behind a rounded text (HTML keeps it in data-value). */
  value?: number;
  /** What the cell is, for readers and tests: `eval.json:r2`. */
  key?: string;
  /** Changed against the compared version. */
  mark?: boolean;
}
export type Block =
  | { type: 'p'; text: string; tone?: 'warn' | 'ok' | 'bad' }
  | { type: 'table'; head: string[]; rows: Array<Array<string | Cell>>; caption?: string }
  | { type: 'list'; items: string[]; ordered?: boolean }
  | { type: 'code'; text: string }
  | { type: 'plot'; plot: Plot };
export interface Section { id: string; title: string; blocks: Block[] }

/** Up to 6 significant digits; integers whole. */
export function num(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e9)) return v.toExponential(4);
  return String(Number(v.toPrecision(6)));
}

export function bytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n, i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return i === 0 ? `${v} B` : `${v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}

const pct = (x: number) => `${(x * 100).toFixed(x < 0.001 && x > 0 ? 3 : 1)}%`;
const n = (v: number, key?: string, mark?: boolean): Cell => ({ text: num(v), value: v, ...(key ? { key } : {}), ...(mark ? { mark } : {}) });
const short = (h: string) => h.replace(/^sha256:/, '').slice(0, 12);
const val = (v: unknown) => (v === null || v === undefined ? '—' : typeof v === 'number' ? num(v) : String(v));

export function documentOf(r: Report): Section[] {
  const sections: Section[] = [summary(r), data(r)];
  if (!r.hasPipeline && !r.experiment) {
    sections.push({ id: 'pipeline', title: 'Pipeline', blocks: [{ type: 'p', text: `No pipeline (mlv.yaml) at ${r.commit.slice(0, 7)}: this report holds the data only.` }] });
  } else if (r.experiment?.status !== 'failed') {
    sections.push(features(r), model(r), results(r), plots(r));
  }
  sections.push(provenance(r), reproduction(r));
  if (r.notes.length) sections.push({ id: 'notes', title: 'What this report could not read', blocks: [{ type: 'list', items: r.notes }] });
  return sections;
}

function summary(r: Report): Section {
  const blocks: Block[] = [{ type: 'table', head: ['', ''], rows: [
    ['Version', `${r.rev} = ${r.commit.slice(0, 12)}`],
    ['Commit message', r.subject || '—'],
    ['Committed', `${r.date} by ${r.author}`],
    ...(r.experiment ? [['Experiment', `${r.experiment.name} (${r.experiment.status})`], ['Overrides', Object.entries(r.experiment.overrides).map(([k, v]) => `${k}=${val(v)}`).join(', ') || '—']] : []),
    ...(r.compare ? [['Compared with', `${r.compare.rev} = ${r.compare.commit.slice(0, 12)}`]] : []),
    ['Written by', `mlv ${r.generated.mlv} at ${r.generated.date}`],
  ] }];
  if (r.experiment?.status === 'failed') {
    blocks.unshift({ type: 'p', tone: 'bad', text: `This experiment failed: ${r.experiment.error ?? 'no error was recorded'}` });
  }
  return { id: 'summary', title: 'Version', blocks };
}

function data(r: Report): Section {
  const inputs = r.data.filter((d) => d.source === 'pointer');
  const outputs = r.data.filter((d) => d.source === 'stage');
  const cmp = Boolean(r.compare);
  const row = (d: Report['data'][number]) => [
    { text: d.path, key: d.path }, d.kind === 'dir' ? `${d.files} files` : 'file', bytes(d.size), short(d.hash),
    d.cached ? 'yes' : 'no (not pulled)', ...(cmp ? [{ text: d.change === 'modified' ? `modified (was ${bytes(d.previousSize)})` : d.change ?? '', mark: d.change !== 'unchanged' }] : []),
    ...(d.source === 'pointer' ? [d.desc ?? '—'] : [d.stage ?? '']),
  ];
  const head = (last: string) => ['path', 'kind', 'size', 'hash', 'in cache', ...(cmp ? [`against ${r.compare!.rev}`] : []), last];
  const blocks: Block[] = [];
  if (inputs.length) blocks.push({ type: 'table', head: head('description (desc)'), rows: inputs.map(row), caption: 'Tracked inputs (mlv add): what each is, how it was collected and why, in its desc.' });
  else blocks.push({ type: 'p', text: 'No data is tracked with mlv add at this version.' });
  if (outputs.length) blocks.push({ type: 'table', head: head('stage'), rows: outputs.map(row), caption: 'Pipeline outputs (mlv.lock).' });
  for (const e of r.explore) {
    const was = e.previous;
    blocks.push({ type: 'table', caption: `Profile of ${e.path} (mlv explore)`, head: ['rows', 'columns', 'missing cells', 'column types', ...(was ? [`at ${r.compare!.rev}`] : [])], rows: [[
      { text: String(e.rows), value: e.rows, key: `${e.path}:rows` }, String(e.columns), pct(e.missingShare), Object.entries(e.columnTypes).map(([t, c]) => `${c} ${t}`).join(', '),
      ...(was ? [{ text: `${was.rows} rows, ${was.columns} columns, ${pct(was.missingShare)} missing`, mark: true }] : []),
    ]] });
    const items = [...e.warnings];
    if (e.personal.length) items.unshift(`Personal data: ${e.personal.map((p) => `${p.column} (${p.kind})`).join(', ')}`);
    if (items.length) blocks.push({ type: 'list', items });
  }
  return { id: 'data', title: 'Data', blocks };
}

function features(r: Report): Section {
  const f = r.features;
  if (!f) return { id: 'features', title: 'Features', blocks: [{ type: 'p', text: 'No fitted featurize state (mlv featurize) among the outputs.' }] };
  return { id: 'features', title: 'Features', blocks: [
    { type: 'p', text: `From ${f.source}: ${f.inputs.length} raw column(s) in, ${f.outputs.length} out; target ${f.target ?? '—'}.` },
    { type: 'list', ordered: true, items: f.steps.map((s) => s.text) },
    { type: 'table', head: ['derived columns', 'dropped columns'], rows: [[f.derived.join(', ') || '—', f.dropped.join(', ') || '—']] },
    { type: 'p', text: 'Leak guard:' },
    { type: 'list', items: f.leakGuard.length ? f.leakGuard : ['No target is declared; nothing to check.'] },
  ] };
}

function model(r: Report): Section {
  if (!r.models.length) return { id: 'model', title: 'Model', blocks: [{ type: 'p', text: 'No model file (mlv train -o) among the outputs.' }] };
  const blocks: Block[] = [];
  const t = r.results.training;
  for (const m of r.models) {
    blocks.push({ type: 'table', caption: m.path, head: ['', ''], rows: [
      ['algorithm', m.algorithm], ['task', m.task], ['target', m.target ?? '—'], ['features', String(m.features.length)],
      ...(m.labels ? [['labels', m.labels.map(val).join(', ')]] : []),
      ['validation', t?.validation ?? '—'], ['seed', val(m.seed)],
    ] });
    const cmp = m.params.some((p) => p.previous !== undefined);
    blocks.push({ type: 'table', caption: `Hyperparameters${cmp ? ` (changed against ${r.compare?.rev} marked)` : ''}`, head: ['name', 'value', ...(cmp ? ['before'] : [])],
      rows: m.params.map((p) => [{ text: p.key, mark: p.changed }, { text: val(p.value), mark: p.changed }, ...(cmp ? [val(p.previous)] : [])]) });
  }
  return { id: 'model', title: 'Model', blocks };
}

function results(r: Report): Section {
  const blocks: Block[] = [];
  const res = r.results;
  const prev = res.previous;
  const t = res.training;
  if (t) {
    blocks.push({ type: 'table', caption: `Validation (${t.validation}) from ${t.file}: mean and spread (population std) over ${t.metrics[0]?.folds.length ?? 0} fold(s)`,
      head: ['metric', 'mean', 'std', 'min', 'max', ...(prev ? [`mean at ${r.compare!.rev}`] : [])],
      rows: t.metrics.map((m) => [m.name, n(m.mean, `${t.file}:${m.name}`), n(m.std, `${t.file}:${m.name}_std`),
        m.folds.length ? num(Math.min(...m.folds)) : '—', m.folds.length ? num(Math.max(...m.folds)) : '—',
        ...(prev ? [num(prev[`${t.file}:${m.name}`])] : [])]) });
  }
  for (const h of res.heldOut) {
    blocks.push({ type: 'table', caption: `Evaluation metrics from ${h.file}`, head: ['metric', 'value', ...(prev ? [`at ${r.compare!.rev}`, 'change'] : [])],
      rows: Object.entries(h.values).map(([k, v]) => {
        const before = prev?.[`${h.file}:${k}`];
        return [k, n(v, `${h.file}:${k}`), ...(prev ? [num(before), before === undefined ? '—' : { text: num(v - before), mark: v !== before }] : [])];
      }) });
  }
  if (res.gaps.length) {
    blocks.push({ type: 'table', caption: 'Evaluation against validation: when the evaluated rows are the training rows, a large gap is overfitting', head: ['metric', 'validation (mean)', 'evaluation', 'gap'],
      rows: res.gaps.map((g) => [`${g.metric} (${g.file})`, num(g.validation), num(g.heldOut), { text: num(g.gap), value: g.gap }]) });
  }
  if (!blocks.length) {
    const all = res.lockMetrics.flatMap((m) => Object.entries(m.values).map(([k, v]) => [`${m.file}:${k}`, n(v, `${m.file}:${k}`)]));
    blocks.push(all.length ? { type: 'table', head: ['metric', 'value'], rows: all } : { type: 'p', text: 'No metrics are recorded in mlv.lock.' });
  }
  return { id: 'results', title: 'Results', blocks };
}

function plots(r: Report): Section {
  if (!r.plots.length) return { id: 'plots', title: 'Plots', blocks: [{ type: 'p', text: 'Nothing to plot: no predictions file (y_true, y_pred), importances or metric history.' }] };
  return { id: 'plots', title: 'Plots', blocks: r.plots.map((plot) => ({ type: 'plot', plot })) };
}

function provenance(r: Report): Section {
  const blocks: Block[] = [];
  const c = r.cost;
  if (c) {
    const t = r.results.training?.cost;
    blocks.push({ type: 'table', caption: 'Training cost', head: ['model bytes', 'features', 'rows', 'fits', 'seconds'], rows: [[
      bytes(c.modelBytes), val(c.features), val(c.rows), val(c.fits), t?.seconds !== undefined ? num(t.seconds) : 'not recorded (wall-clock time varies; mlv train --json prints it)',
    ]] });
  }
  if (r.stages.length) {
    blocks.push({ type: 'table', caption: 'Stages, upstream first', head: ['stage', 'command', 'needs', 'deps', 'outs'],
      rows: r.stages.map((s) => [s.name, s.cmd.join(' && '), s.upstream.join(', ') || '—', s.deps.join(', '), [...s.outs, ...s.metrics].join(', ')]) });
    const envs = r.stages.filter((s) => s.env);
    if (envs.length) {
      const keys = [...new Set(envs.flatMap((s) => Object.keys(s.env!)))].sort();
      blocks.push({ type: 'table', caption: 'Environment recorded in mlv.lock', head: ['stage', ...keys], rows: envs.map((s) => [s.name, ...keys.map((k) => s.env![k] ?? '—')]) });
    }
  } else {
    blocks.push({ type: 'p', text: 'No stages.' });
  }
  return { id: 'provenance', title: 'Cost and provenance', blocks };
}

function reproduction(r: Report): Section {
  const blocks: Block[] = [{ type: 'p', text: 'Rebuild this version in a temporary worktree and compare every output and metric with what it recorded:' }, { type: 'code', text: r.reproduction.command }];
  const l = r.reproduction.last;
  if (!l) blocks.push({ type: 'p', tone: 'warn', text: 'Not verified yet: no mlv repro --rev outcome is recorded for this commit (mlv report --verify runs it).' });
  else if (l.match) blocks.push({ type: 'p', tone: 'ok', text: `Reproduced on ${l.date} (mlv ${l.mlv}): all ${l.outputs} outputs and metrics matched${l.seconds !== undefined ? ` in ${num(l.seconds)} s` : ''}.` });
  else blocks.push({ type: 'p', tone: 'bad', text: `Did not reproduce on ${l.date} (mlv ${l.mlv}): ${l.error ?? `${l.mismatched.length} of ${l.outputs} differ: ${l.mismatched.join(', ')}`}.` });
  if (l?.envDiffers?.length) blocks.push({ type: 'p', text: `The environment then differed from the recorded one: ${l.envDiffers.join('; ')}.` });
  return { id: 'reproduction', title: 'Reproduction', blocks };
}
