import type { Program } from '../program.js';
import { count } from '../options.js';
import { UsageError } from '../../src/errors/index.js';
import { algorithms, GAP_THRESHOLD, metricsDocument, parseScalar, train, type Algorithm, type ImportanceMethod, type Params, type Task } from '../../src/api/train.js';
import { cwd, err, out, printJson, progressBar } from '../io.js';
import { color, formatBytes, table } from '../format.js';

const collect = (v: string, acc: string[]) => [...acc, v];

export function register(program: Program): void {
  program
    .command('train <csv>')
    .description(`fit a model (${algorithms().map((a) => a.title).join(', ')}), validate it, save it`)
    .option('--target <col>', 'the column to predict (classification, regression)')
    .option('--task <task>', 'classification | regression | clustering | reduction (inferred from the target when omitted)')
    .option('--algorithm <name>', algorithms().map((a) => a.name).join(' | '))
    .option('-p, --param <key=value>', 'hyperparameter, scikit-learn names (repeatable)', collect, [])
    .option('--params-section <name>', 'take hyperparameters from this section of params.yaml')
    .option('--params-file <path>', 'the params file for --params-section', 'params.yaml')
    .option('--validation <scheme>', 'holdout:0.2 | kfold:5 | leave-p-out:1 | none')
    .option('--seed <n>', 'random seed (default 0)', count('--seed'))
    .option('--featurize <state.json>', 'embed this fitted featurize state in the model (default: <csv>.featurize.json if present)')
    .option('--no-featurize', 'embed no featurize state')
    .option('-o, --output <model.json>', 'write the model here')
    .option('--metrics <metrics.json>', 'write the metrics here')
    .option('--jobs <n>', 'worker threads for forests and gradient boosting (default: the cores)', count('--jobs'))
    .option('--importance <method>', 'native (the model\'s own) | permutation (score drop when a feature is shuffled in the validation rows)')
    .option('--importance-repeats <n>', 'shuffles per feature for --importance permutation (default 5)', count('--importance-repeats'))
    .option('--json', 'print the metrics as JSON')
    .action(async (csv: string, opts: {
      target?: string; task?: string; algorithm?: string; param: string[]; paramsSection?: string; paramsFile: string;
      validation?: string; seed?: number; featurize?: string | false; output?: string; metrics?: string; jobs?: number; json?: boolean;
      importance?: string; importanceRepeats?: number;
    }) => {
      const params: Params = {};
      for (const kv of opts.param) {
        const eq = kv.indexOf('=');
        if (eq <= 0) throw new UsageError(`-p ${kv}: expected key=value`);
        params[kv.slice(0, eq).trim()] = parseScalar(kv.slice(eq + 1));
      }
      const bar = progressBar('train');
      const r = await train({
        csv,
        cwd: cwd(),
        target: opts.target,
        task: opts.task as Task | undefined,
        algorithm: opts.algorithm as Algorithm | undefined,
        params,
        paramsSection: opts.paramsSection,
        paramsFile: opts.paramsFile,
        validation: opts.validation,
        seed: opts.seed,
        jobs: opts.jobs,
        importance: opts.importance as ImportanceMethod | undefined,
        importanceRepeats: opts.importanceRepeats,
        featurize: opts.featurize,
        output: opts.output,
        metricsPath: opts.metrics,
        onProgress: bar.onProgress,
      }).finally(bar.done);

      if (r.taskInferred) err(`task: ${r.task} (${r.taskInferred}; pass --task to choose)`);
      const g = r.fit_gap;
      const warning = g?.large
        ? `${g.metric} on the training rows ${g.train.mean.toFixed(4)} vs ${r.metrics[g.metric].mean.toFixed(4)} in validation: a gap of ${g.gap.toFixed(4)} (over ${GAP_THRESHOLD}); the model fits rows it has seen much better than new ones (overfitting): constrain it (max_depth, min_samples_leaf, C) or give it more rows`
        : undefined;
      if (warning) err(`warning: ${warning}`);
      if (opts.json) {
        printJson({
          ...metricsDocument(r),
          feature_importances: r.feature_importances,
          // The contract's shape: {<name>: {mean, std, folds}} (the file has the flat names).
          metrics: r.metrics,
          // Seconds vary run to run, so only this output has them, not the metrics file.
          cost: r.cost,
          model: r.output ?? null,
          metrics_file: r.metricsPath ?? null,
          featurize: r.featurized ?? null,
          fit_gap: g ? { metric: g.metric, train: g.train, gap: g.gap, large: g.large, threshold: GAP_THRESHOLD } : null,
          warnings: warning ? [warning] : [],
        });
        return;
      }
      const f = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(4));
      out(`${color.bold(r.algorithm)} ${r.task}, ${r.validation} (${r.cost.n_rows} rows, ${r.cost.n_features} features)`);
      const rows = Object.entries(r.metrics).map(([k, m]) => [k, f(m.mean), f(m.std), String(m.folds.length)]);
      if (g) rows.push([`train_${g.metric}`, f(g.train.mean), f(g.train.std), String(g.train.folds.length)]);
      out(table(['metric', 'mean', 'std', 'folds'], rows));
      if (g) out(`gap (training − validation ${g.metric}): ${f(g.gap)}${g.large ? color.red(' large') : ''}`);
      if (r.explained_variance_ratio) out(`explained variance ratio: ${r.explained_variance_ratio.map(f).join(', ')}`);
      if (r.feature_importances) {
        const top = Object.entries(r.feature_importances).sort((a, b) => b[1] - a[1]).slice(0, 5);
        const how = r.importance?.method === 'permutation' ? ` (${r.importance.scoring} drop when shuffled, ${r.importance.n_repeats} repeats)` : '';
        out(`top features${how}: ${top.map(([k, v]) => `${k} ${f(v)}`).join(', ')}`);
      }
      out(color.dim(`${r.cost.seconds.toFixed(2)} s, model ${formatBytes(r.cost.model_bytes)}`) +
        (r.output ? `; model written to ${r.output}` : '') + (r.metricsPath ? `; metrics to ${r.metricsPath}` : ''));
    });
}
