import { existsSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { UsageError } from '../errors/index.js';
import { writeFileAtomic, USER_OUTPUT } from '../store/atomic.js';
import { openRepo, type RepoOptions } from '../repo/Repo.js';
import type { VerifyOptions, VerifyResult } from '../pipeline/verify.js';
import { gatherReport, resolveVersion } from '../report/gather.js';
import { renderHtml } from '../report/html.js';
import { renderMarkdown } from '../report/markdown.js';
import type { Report } from '../report/model.js';
import { reproRev } from './repro.js';

export type ReportFormat = 'html' | 'md';
export const REPORT_FORMATS: readonly ReportFormat[] = ['html', 'md'];

export interface ReportOptions extends RepoOptions, Pick<VerifyOptions, 'jobs' | 'signal' | 'onStage' | 'onOutput'> {
  /** Commit or experiment (default HEAD). */
  rev?: string;
  compare?: string;
  /** Default: from the output's extension (.md → md), else html. */
  format?: ReportFormat;
  /** File to write (relative to cwd); default `mlv-report-<commit7>.<html|md>`; `-` for stdout (HTML only). */
  output?: string;
  /** Run `repro --rev` now and record its outcome before writing. */
  verify?: boolean;
  now?: () => Date;
}

export interface ReportResult {
  report: Report;
  format: ReportFormat;
  /** The document's path, or undefined when written to `text`. */
  output?: string;
  /** Plot files written beside a Markdown document. */
  files: string[];
  /** The document, when output is `-`. */
  text?: string;
  /** With verify: the rebuild's comparison (also recorded in refs/notes/mlv-repro). */
  verify?: VerifyResult & { noteError?: string };
}

/**
 * Write the documentation of one version: data with descriptions and profiles, features,
 * model, validated and evaluated metrics, plots, cost, stages, environment and the
 * outcome of its last `repro --rev`. Nothing is written on a usage error.
 * @example
 *   const { output } = await report({ cwd, rev: 'HEAD', compare: 'HEAD~1', output: 'model-card.html' });
 */
export async function report(opts: ReportOptions): Promise<ReportResult> {
  const repo = openRepo(opts);
  const format = opts.format ?? (opts.output && /\.(md|markdown)$/i.test(opts.output) ? 'md' : 'html');
  if (!REPORT_FORMATS.includes(format)) throw new UsageError(`--format ${format}: expected one of ${REPORT_FORMATS.join(', ')}`, { format });
  if (opts.output === '-' && format === 'md') throw new UsageError('-o -: Markdown plots are separate files; give a file name with -o', { output: '-' });
  const rev = opts.rev ?? 'HEAD';
  const { commit, exp } = resolveVersion(repo.root, rev);
  if (opts.compare !== undefined) resolveVersion(repo.root, opts.compare);
  const output = opts.output === '-' ? undefined : resolve(opts.cwd, opts.output ?? `mlv-report-${commit.slice(0, 7)}.${format}`);
  if (output) {
    const dir = dirname(output);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`-o ${opts.output}: directory ${dir} does not exist`, { output: opts.output });
    if (existsSync(output) && statSync(output).isDirectory()) throw new UsageError(`-o ${opts.output}: is a directory`, { output: opts.output });
  }

  let verify: ReportResult['verify'];
  if (opts.verify) {
    if (exp?.status === 'failed') throw new UsageError(`${rev}: a failed experiment has nothing to reproduce; drop --verify`, { rev });
    verify = await reproRev({ cwd: opts.cwd, rev: commit, jobs: opts.jobs, signal: opts.signal, onStage: opts.onStage, onOutput: opts.onOutput, now: opts.now });
  }
  const r = await gatherReport(repo, { rev, compare: opts.compare, now: opts.now });
  if (!output) return { report: r, format, files: [], text: renderHtml(r), ...(verify ? { verify } : {}) };
  const files: string[] = [];
  if (format === 'md') {
    const plotDir = `${basename(output, extname(output))}_files`;
    const md = renderMarkdown(r, plotDir);
    // Plots first: the document is written last, so it never points at a missing file.
    for (const f of md.files) {
      const path = join(dirname(output), f.name);
      writeFileAtomic(path, f.content, { ...USER_OUTPUT, mkdir: true });
      files.push(path);
    }
    writeFileAtomic(output, md.text, USER_OUTPUT);
  } else {
    writeFileAtomic(output, renderHtml(r), USER_OUTPUT);
  }
  return { report: r, format, output, files, ...(verify ? { verify } : {}) };
}
