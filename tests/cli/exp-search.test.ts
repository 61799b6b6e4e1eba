/**
 * `mlv exp search` → `mlv exp apply <trial>` → `mlv repro`: the pipeline rebuilds the
 * trial's model and its cross-validated score is the trial's, to the last bit. Also the
 * time budget, the cost columns and Pareto front, and what apply refuses or warns about.
 * Real repositories, the real CLI, the iris fixture.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { git, makeRepo, mlv, mlvOk, removeDir, ROOT } from '../helpers/repo.js';
import { SEARCHABLE } from '../../src/experiments/search.js';
import { TASK_ALGORITHMS } from '../../src/ml/models/index.js';

const IRIS = join(ROOT, 'fixtures', 'ml', 'iris.csv');
const PIPELINE = `stages:
  train:
    cmd: mlv train data/iris.csv --target species --params-section train --validation kfold:5 --seed 0 -o model.json --metrics train_metrics.json
    deps: [data/iris.csv]
    params: [train]
    outs: [model.json]
    metrics: [train_metrics.json]
`;

interface Trial { name: string; algorithm: string; params: Record<string, unknown>; status: string; score?: number; ref?: string; cost?: { train_seconds: number; model_bytes: number; n_features: number }; pareto?: boolean }
interface SearchJson { trials: Trial[]; leaderboard: Array<Trial & { score: number }>; best: Trial & { score: number }; pareto: string[]; planned: number; data: { path: string; sha256: string }; cost: string }

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const trainAccuracy = (dir: string) => (JSON.parse(readFileSync(join(dir, 'train_metrics.json'), 'utf8')) as { accuracy: number }).accuracy;

describe('exp search → exp apply → repro', () => {
  let dir: string;
  let search: SearchJson;
  before(() => {
    dir = makeRepo();
    mlvOk(dir, ['init']);
    mkdirSync(join(dir, 'data'));
    copyFileSync(IRIS, join(dir, 'data', 'iris.csv'));
    mlvOk(dir, ['add', 'data/iris.csv']);
    writeFileSync(join(dir, 'params.yaml'), '# the model of the train stage\ntrain:\n  algorithm: random_forest\n  n_estimators: 20\n  max_depth: 4\n');
    writeFileSync(join(dir, 'mlv.yaml'), PIPELINE);
    mlvOk(dir, ['repro', '-q']);
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-qm', 'baseline']);
    search = JSON.parse(mlvOk(dir, ['exp', 'search', '--data', 'data/iris.csv', '--target', 'species', '--cost', 'model_bytes', '-q', '--json']).stdout) as SearchJson;
  });
  after(() => removeDir(dir));

  test('every algorithm for the task is tried; trials record the data hash and only their own params; cost and Pareto front', () => {
    const expected = TASK_ALGORITHMS.classification.filter((a) => SEARCHABLE.includes(a));
    for (const a of ['logistic', 'gradient_boosting']) assert.ok(expected.includes(a as never), `${a} is searchable`);
    assert.deepEqual([...new Set(search.trials.map((t) => t.algorithm))].sort(), [...expected].sort());
    assert.equal(search.trials.length, search.planned);
    assert.deepEqual(search.data, { path: 'data/iris.csv', sha256: sha256(join(dir, 'data', 'iris.csv')) });
    const first = search.trials[0];
    const spec = JSON.parse(git(dir, ['show', `${first.ref}:mlv-search.json`]));
    assert.equal(spec.data, 'data/iris.csv');
    assert.equal(spec.data_sha256, search.data.sha256);
    // exp show: a trial's params are its own, not the baseline's pipeline params it did not use.
    const show = JSON.parse(mlvOk(dir, ['exp', 'show', '--json']).stdout) as { rows: Array<{ name: string; params: Record<string, unknown>; changedParams?: string[]; metrics: Record<string, number> }> };
    const row = show.rows.find((r) => r.name === first.name)!;
    assert.ok(Object.keys(row.params).length > 0 && Object.keys(row.params).every((k) => k.startsWith('search.')), JSON.stringify(row.params));
    assert.ok(row.changedParams!.every((k) => k.startsWith('search.')), JSON.stringify(row.changedParams));
    assert.equal(row.metrics['mlv-search.json:cost.model_bytes'], first.cost!.model_bytes);
    // Cost beside quality; the front (quality against model bytes) is exactly the undominated trials.
    for (const t of search.leaderboard) {
      assert.ok(t.cost!.model_bytes > 0 && t.cost!.n_features === 4 && t.cost!.train_seconds >= 0);
      const dominated = search.leaderboard.some((o) => o.score >= t.score && o.cost!.model_bytes <= t.cost!.model_bytes && (o.score > t.score || o.cost!.model_bytes < t.cost!.model_bytes));
      assert.equal(t.pareto, !dominated, `${t.name} ${t.algorithm} ${t.score} ${t.cost!.model_bytes}`);
    }
    assert.deepEqual(search.pareto, search.leaderboard.filter((t) => t.pareto).map((t) => t.name));
    const smallest = Math.min(...search.leaderboard.map((t) => t.cost!.model_bytes));
    assert.ok(search.leaderboard.some((t) => t.pareto && t.cost!.model_bytes === smallest), 'the smallest model is on the front');
    assert.ok(search.leaderboard.some((t) => t.pareto && t.score === search.best.score), 'the best score is on the front');
  });

  test('apply writes the trial into the train section; repro rebuilds it with the trial score exactly', () => {
    const gb = search.leaderboard.find((t) => t.algorithm === 'gradient_boosting')!;
    const lr = search.leaderboard.find((t) => t.algorithm === 'logistic')!;
    for (const [i, trial] of [gb, lr].entries()) {
      const r = mlvOk(dir, ['exp', 'apply', trial.name]);
      assert.match(r.stdout, new RegExp(`Applied search trial ${trial.name}: ${trial.algorithm} .*into params\\.yaml, section train \\(read by stage 'train'`));
      assert.equal(r.stderr, '', 'no warning: same data, same folds and seed');
      const params = readFileSync(join(dir, 'params.yaml'), 'utf8');
      assert.ok(params.startsWith('# the model of the train stage\ntrain:\n'), params);
      assert.match(params, new RegExp(`algorithm: ${trial.algorithm}\n`));
      assert.doesNotMatch(params, /n_estimators|max_depth: 4/, 'the old hyperparameters are gone');
      for (const [k, v] of Object.entries(trial.params)) assert.match(params, new RegExp(`\n  ${k}: ${v}\n`));
      assert.match(mlvOk(dir, ['status']).stdout, /stage train: param train changed/);
      mlvOk(dir, ['repro', '-q']);
      assert.equal(trainAccuracy(dir), trial.score, `${trial.algorithm}: the pipeline's cross-validated accuracy is the trial's`);
      const model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
      assert.equal(model.algorithm, trial.algorithm);
      for (const [k, v] of Object.entries(trial.params)) assert.equal(model.params[k], v);
      if (i === 0) {
        // Applying another trial over the uncommitted one is refused, nothing written.
        const before = readFileSync(join(dir, 'params.yaml'), 'utf8');
        const refused = mlv(dir, ['exp', 'apply', lr.name]);
        assert.equal(refused.code, 2, refused.stderr);
        assert.match(refused.stderr, /params\.yaml: uncommitted changes would be overwritten by experiment .*; commit them first, or use --force/);
        assert.equal(readFileSync(join(dir, 'params.yaml'), 'utf8'), before);
        git(dir, ['commit', '-qam', `apply ${trial.name}`]);
      }
    }
    assert.match(mlvOk(dir, ['repro']).stdout, /up to date/i);
  });

  test('apply refuses a train stage that tracks only some keys of its section, and warns when the data changed', () => {
    git(dir, ['checkout', '-q', '--', '.']);
    const trial = search.best;
    writeFileSync(join(dir, 'mlv.yaml'), PIPELINE.replace('params: [train]', 'params: [train.algorithm, train.C]'));
    const before = readFileSync(join(dir, 'params.yaml'), 'utf8');
    const r = mlv(dir, ['exp', 'apply', trial.name]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /mlv\.yaml:\d+: stage 'train' reads the section 'train' of params\.yaml but declares only its keys train\.algorithm, train\.C; declare the whole section \(params: \[train\]\)/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.equal(readFileSync(join(dir, 'params.yaml'), 'utf8'), before);
    git(dir, ['checkout', '-q', '--', 'mlv.yaml']);
    rmSync(join(dir, 'mlv.yaml'));
    const none = mlv(dir, ['exp', 'apply', trial.name]);
    assert.equal(none.code, 2, none.stderr);
    assert.match(none.stderr, new RegExp(`experiment ${trial.name} is a search trial: applying it writes its algorithm and hyperparameters into the params section the pipeline's train stage reads, and there is no mlv\\.yaml`));
    assert.equal(readFileSync(join(dir, 'params.yaml'), 'utf8'), before);
    git(dir, ['checkout', '-q', '--', 'mlv.yaml']);

    writeFileSync(join(dir, 'data', 'iris.csv'), readFileSync(IRIS, 'utf8') + '5.0,3.0,1.5,0.2,setosa\n');
    const w = mlvOk(dir, ['exp', 'apply', trial.name, '--force']);
    assert.match(w.stderr, /warning: data\/iris\.csv changed since the search \(sha256 [0-9a-f]{12} then, [0-9a-f]{12} now\): the score will differ/);
    copyFileSync(IRIS, join(dir, 'data', 'iris.csv'));
    git(dir, ['checkout', '-q', '--', '.']);
  });

  test('--budget stops starting trials and says so; the leaderboard says it shows fewer than ran', () => {
    const refs = () => git(dir, ['for-each-ref', 'refs/mlv/exps/']).split('\n').filter(Boolean).length;
    const n0 = refs();
    const r = mlvOk(dir, ['exp', 'search', '--data', 'data/iris.csv', '--target', 'species', '--algorithms', 'random_forest', '--trials', '40', '--budget', '1s', '--top', '2']);
    const m = /budget 1s used: (\d+) of 40 trials ran, (\d+) not started/.exec(r.stderr);
    assert.ok(m, r.stderr);
    const ran = Number(m[1]);
    assert.ok(ran >= 1 && ran < 40, `${ran} trials ran`);
    assert.equal(Number(m[2]), 40 - ran);
    assert.equal(refs() - n0, ran, 'one experiment per trial that ran');
    assert.match(r.stdout, new RegExp(`the budget \\(1s\\) stopped the search: ${40 - ran} of 40 planned trials not started`));
    if (ran > 2) assert.match(r.stdout, new RegExp(`2 of ${ran} trials shown \\(${ran} ok; --top N, --json or mlv exp show for all\\)`));
    assert.match(r.stdout, /Pareto front \(accuracy against train_seconds, \* above\): \S/);
    const bad = mlv(dir, ['exp', 'search', '--data', 'data/iris.csv', '--target', 'species', '--budget', '10 minutes']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--budget 10 minutes: expected a time such as 90s, 10m or 1h/);
  });
});

describe('exp search on data with missing feature values', () => {
  let dir: string;
  before(() => {
    dir = makeRepo();
    mlvOk(dir, ['init']);
    // iris with two blank cells: only gradient_boosting takes missing values.
    const lines = readFileSync(IRIS, 'utf8').split('\n');
    lines[5] = lines[5].replace(/^[^,]*,/, ',');
    lines[77] = lines[77].replace(/^([^,]*),[^,]*,/, '$1,,');
    writeFileSync(join(dir, 'gaps.csv'), lines.join('\n'));
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-qm', 'baseline']);
  });
  after(() => removeDir(dir));

  test('by default only the algorithms that take missing values are tried, and the search says why the others are not', () => {
    const r = mlvOk(dir, ['exp', 'search', '--data', 'gaps.csv', '--target', 'species', '--trials', '1', '--json']);
    const s = JSON.parse(r.stdout) as SearchJson & { skipped?: { algorithms: string[]; reason: string } };
    assert.deepEqual([...new Set(s.trials.map((t) => t.algorithm))], ['gradient_boosting']);
    assert.ok(s.trials.every((t) => t.status === 'ok'), 'no trial fails for a missing value');
    const others = TASK_ALGORITHMS.classification.filter((a) => SEARCHABLE.includes(a) && a !== 'gradient_boosting');
    assert.deepEqual([...(s.skipped?.algorithms ?? [])].sort(), [...others].sort());
    assert.match(s.skipped!.reason, /gaps\.csv:6: column "sepal_length_cm" has a missing value/);
    assert.match(r.stderr, new RegExp(`mlv: not searching ${others.join(', ')}: gaps\\.csv:6: column "sepal_length_cm" has a missing value`));
    // Named explicitly, an algorithm that refuses missing values is tried, and its trial fails naming the cell.
    const named = JSON.parse(mlvOk(dir, ['exp', 'search', '--data', 'gaps.csv', '--target', 'species', '--algorithms', 'decision_tree', '--trials', '1', '-q', '--json']).stdout) as SearchJson & { skipped?: unknown };
    assert.equal(named.skipped, undefined);
    assert.equal(named.trials[0].status, 'failed');
    // Quiet, with every trial failed: the outcome still names the cause.
    const none = mlv(dir, ['exp', 'search', '--data', 'gaps.csv', '--target', 'species', '--algorithms', 'decision_tree', '--trials', '1', '-q']);
    assert.equal(none.code, 1);
    assert.match(none.stdout, /No trial succeeded; \S+ \(decision_tree\) failed with: gaps\.csv:6: column "sepal_length_cm" has a missing value/);
  });
});
