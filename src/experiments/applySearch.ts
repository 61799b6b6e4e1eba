/**
 * `mlv exp apply <search trial>`: a trial of `mlv exp search` becomes the pipeline's.
 *
 * The train stage of a pipeline reads its model from one section of a params file:
 * `mlv train <csv> … --params-section train` takes `algorithm`, `validation`, `seed`,
 * `task` and `target` from that section as options and every other key as a
 * hyperparameter (ml/train.ts). Applying a trial rewrites the section: `algorithm`,
 * `validation` and `seed` become the trial's, the hyperparameter keys become exactly
 * the trial's (a key the trial did not set takes its default, as in the trial), and the
 * other option keys stay. Comments and layout of the rest of the file are kept.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { InputError } from '../errors/index.js';
import { SECTION_OPTIONS } from '../ml/train.js';
import type { Pipeline, StageDef } from '../pipeline/types.js';
import { fromRepoPath } from '../repo/paths.js';
import { yaml } from '../yaml.js';

/** `mlv-search.json` of a trial commit, as `mlv exp search` writes it. */
export interface SearchSpec {
  data: string;
  data_sha256?: string;
  target: string;
  task: string;
  algorithm: string;
  params: Record<string, unknown>;
  validation: string;
  seed: number;
  metrics?: Record<string, { mean: number }>;
}

/** A stage that runs `mlv train … --params-section <section>`, and what its command fixes. */
export interface TrainStage {
  stage: string;
  /** The params file, from the repository root. */
  file: string;
  section: string;
  /** Options the command line gives (they win over the section). */
  flags: Record<string, string>;
  /** The command's positional words (the CSV), from the repository root. */
  paths: string[];
}

const VALUE_FLAGS = new Map([
  ['--target', 'target'], ['--task', 'task'], ['--algorithm', 'algorithm'], ['--params-section', 'section'], ['--params-file', 'file'],
  ['--validation', 'validation'], ['--seed', 'seed'], ['-p', 'param'], ['--param', 'param'],
  ['-o', 'output'], ['--output', 'output'], ['--metrics', 'metrics'], ['--featurize', 'featurize'], ['--jobs', 'jobs'],
  ['--importance', 'importance'], ['--importance-repeats', 'importance_repeats'],
]);

/** Shell words, with `&&`, `||`, `;` and `|` as words of their own (enough for stage commands). */
function shellWords(cmd: string): string[] {
  const words: string[] = [];
  for (const m of cmd.matchAll(/&&|\|\||[;|]|(?:'[^']*'|"(?:\\.|[^"\\])*"|[^\s'";|&]+)+/g)) {
    words.push(m[0].replace(/'([^']*)'|"((?:\\.|[^"\\])*)"/g, (_x, a: string | undefined, b: string | undefined) => a ?? (b ?? '').replace(/\\(.)/g, '$1')));
  }
  return words;
}

/** Every `mlv train … --params-section` invocation in the pipeline's stages. */
export function trainStages(pipeline: Pipeline): TrainStage[] {
  const found: TrainStage[] = [];
  for (const def of pipeline.stages.values()) {
    for (const cmd of def.cmd) {
      const w = shellWords(cmd);
      for (let i = 0; i + 1 < w.length; i++) {
        if (w[i] !== 'mlv' || w[i + 1] !== 'train') continue;
        const flags: Record<string, string> = {};
        const paths: string[] = [];
        for (let j = i + 2; j < w.length && !['&&', '||', ';', '|'].includes(w[j]); j++) {
          const eq = w[j].startsWith('--') ? w[j].indexOf('=') : -1;
          const flag = eq > 0 ? w[j].slice(0, eq) : w[j];
          const name = VALUE_FLAGS.get(flag);
          if (name) {
            const value = eq > 0 ? w[j].slice(eq + 1) : w[++j];
            if (value !== undefined) flags[name] = name === 'param' && flags.param ? `${flags.param},${value}` : value;
          } else if (!w[j].startsWith('-')) paths.push(posix.normalize(posix.join(def.wdir, w[j])));
        }
        if (flags.section === undefined) continue;
        found.push({ stage: def.name, file: posix.normalize(posix.join(def.wdir, flags.file ?? 'params.yaml')), section: flags.section, flags, paths });
      }
    }
  }
  return found;
}

/**
 * The train stage a trial goes to: `stage` by name, or the one stage that runs
 * `mlv train --params-section`. It must declare the whole section as a param, so that
 * every hyperparameter a trial may set is tracked by `mlv status` and `mlv repro`.
 */
export function pickTrainStage(pipeline: Pipeline, trial: string, stage?: string): TrainStage {
  const all = trainStages(pipeline);
  const named = stage === undefined ? all : all.filter((t) => t.stage === stage);
  const hint = 'a stage whose command is `mlv train <csv> … --params-section <section>` (docs/experiments.md, "From a search to the pipeline")';
  if (stage !== undefined && !pipeline.stages.has(stage)) throw new InputError(`--stage ${stage}: no such stage in ${pipeline.file} (stages: ${[...pipeline.stages.keys()].join(', ')})`, { stage });
  if (named.length === 0) {
    throw new InputError(`${stage !== undefined ? `stage '${stage}'` : pipeline.file}: experiment ${trial} is a search trial, and applying it needs ${hint}; ${stage !== undefined ? 'this stage has none' : 'no stage runs one'}`, { exp: trial, stage }, 'ENOTRAINSTAGE');
  }
  const stages = [...new Set(named.map((t) => t.stage))];
  if (named.length > 1) {
    throw new InputError(`${pipeline.file}: ${stages.length > 1 ? `stages ${stages.join(', ')} run` : `stage '${stages[0]}' runs`} mlv train --params-section more than once; name one with --stage`, { stages }, 'EAMBIGUOUS');
  }
  const t = named[0];
  const def = pipeline.stages.get(t.stage) as StageDef;
  const whole = def.params.some((p) => p.file === t.file && (p.key === t.section || t.section.startsWith(p.key + '.')));
  if (!whole) {
    const listed = def.params.filter((p) => p.file === t.file && p.key.startsWith(t.section + '.')).map((p) => p.key);
    const form = t.file === 'params.yaml' ? t.section : `${t.file}:${t.section}`;
    throw new InputError(`${def.where}: stage '${t.stage}' reads the section '${t.section}' of ${t.file} but declares ${listed.length ? `only its keys ${listed.join(', ')}` : 'none of it'}; declare the whole section (params: [${form}]) so that every hyperparameter a trial sets is tracked`, { stage: t.stage, section: t.section }, 'EPARAMSECTION');
  }
  return t;
}

/**
 * The text of the params file with the trial in the section (YAML keeps its comments;
 * JSON is rewritten with 2-space indent). A section that does not exist is created.
 */
export function writeTrialSection(text: string, file: string, section: string, spec: SearchSpec, keep: { validation: boolean; seed: boolean }): string {
  const path = section.split('.');
  const options: Record<string, unknown> = { algorithm: spec.algorithm };
  if (keep.validation) options.validation = spec.validation;
  if (keep.seed) options.seed = spec.seed;
  if (file.endsWith('.json')) {
    let obj: Record<string, unknown>;
    try { obj = JSON.parse(text) as Record<string, unknown>; } catch (e) { throw new InputError(`${file}: not valid JSON (${(e as Error).message})`, { file }); }
    let cur = obj;
    for (const part of path) {
      if (cur[part] === undefined || cur[part] === null) cur[part] = {};
      if (typeof cur[part] !== 'object' || Array.isArray(cur[part])) throw new InputError(`${file}: '${section}' goes through '${part}', which is not a mapping`, { file, key: section });
      cur = cur[part] as Record<string, unknown>;
    }
    for (const k of Object.keys(cur)) if (!(SECTION_OPTIONS as readonly string[]).includes(k)) delete cur[k];
    Object.assign(cur, options, spec.params);
    return JSON.stringify(obj, null, 2) + '\n';
  }
  const Y = yaml();
  const doc = Y.parseDocument(text);
  if (doc.errors.length) throw new InputError(`${file}: not valid YAML (${doc.errors[0].message.split('\n')[0]})`, { file });
  for (let i = 1; i <= path.length; i++) {
    const node = doc.getIn(path.slice(0, i), true);
    if (node === undefined || (Y.isScalar(node) && node.value === null)) doc.setIn(path.slice(0, i), doc.createNode({}));
    else if (!Y.isMap(node)) throw new InputError(`${file}: '${section}' goes through '${path.slice(0, i).join('.')}', which is not a mapping`, { file, key: section });
  }
  const map = doc.getIn(path, true) as { items: Array<{ key: unknown }> };
  const keyOf = (k: unknown) => String(Y.isScalar(k) ? k.value : k);
  map.items = map.items.filter((it) => (SECTION_OPTIONS as readonly string[]).includes(keyOf(it.key)));
  for (const [k, v] of Object.entries({ ...options, ...spec.params })) doc.setIn([...path, k], doc.createNode(v));
  return doc.toString();
}

/** The SHA-256 of a file's bytes, or undefined when it does not exist. */
export function fileSha256(root: string, path: string): string | undefined {
  const abs = fromRepoPath(root, path, 'search data');
  if (!existsSync(abs)) return undefined;
  return createHash('sha256').update(readFileSync(abs)).digest('hex');
}

/**
 * What would make `mlv repro` score differently from the trial, in words: the stage's
 * command fixing another algorithm, hyperparameter, validation, seed or target, reading
 * another CSV, or the CSV's bytes having changed since the search.
 */
export function trialWarnings(root: string, t: TrainStage, spec: SearchSpec): string[] {
  const w: string[] = [];
  const fixed = (name: string, want: string) => {
    const v = t.flags[name];
    if (v !== undefined && v !== want) w.push(`stage '${t.stage}' passes --${name} ${v} on its command line, which wins over the params section: the trial used ${want}`);
  };
  fixed('algorithm', spec.algorithm);
  fixed('validation', spec.validation);
  fixed('seed', String(spec.seed));
  fixed('target', spec.target);
  if (t.flags.param !== undefined) w.push(`stage '${t.stage}' passes -p ${t.flags.param} on its command line, which wins over the params section`);
  if (!t.paths.includes(spec.data)) {
    w.push(`stage '${t.stage}' does not train on ${spec.data}, the data the trial was scored on (it names ${t.paths.join(', ') || 'no file'})`);
  } else if (spec.data_sha256) {
    const now = fileSha256(root, spec.data);
    if (now === undefined) w.push(`${spec.data} is not in the work tree: mlv repro makes it; the score matches only if its bytes are those searched (sha256 ${spec.data_sha256.slice(0, 12)})`);
    else if (now !== spec.data_sha256) w.push(`${spec.data} changed since the search (sha256 ${spec.data_sha256.slice(0, 12)} then, ${now.slice(0, 12)} now): the score will differ`);
  }
  return w;
}
