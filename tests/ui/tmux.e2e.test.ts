/**
 * The real `mlv ui` in a real terminal (tmux), on a real repository: commits made
 * with git and `mlv add`, mlv.lock / params.yaml / metrics.json in the format of
 * docs/FORMAT.md, and experiments as commits on refs/mlv/exps/<baseline>/<name>
 * (written with git plumbing, the way `mlv exp run` records them).
 * Needs the built CLI (npx tsc -p tsconfig.json) and tmux.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { env, git, makeRepo, MLV_BIN, mlvOk, removeDir } from '../helpers/repo.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const SOCKET = `mlv-ui-e2e-${process.pid}`;

function tmux(args: string[]): string {
  const r = spawnSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8', env: env() });
  if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
const capture = () => tmux(['capture-pane', '-p', '-t', 'ui']);
async function waitFor(pred: (screen: string) => boolean, what: string, ms = 15000): Promise<string> {
  const t0 = Date.now();
  let screen = '';
  while (Date.now() - t0 < ms) {
    screen = capture();
    if (pred(screen)) return screen;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}; screen:\n${screen}`);
}
async function keys(...k: string[]): Promise<void> {
  for (const key of k) {
    tmux(['send-keys', '-t', 'ui', key]);
    await new Promise((r) => setTimeout(r, 60));
  }
}

/** Names in the table's rows: the lines between the header and the first blank line. */
function tableNames(screen: string): string[] {
  const lines = screen.split('\n');
  const start = lines.findIndex((l) => /^\s+name\s/.test(l)) + 1;
  const out: string[] = [];
  for (let i = start; i < lines.length && lines[i].trim() !== ''; i++) out.push(lines[i].slice(2).replace(/^[├└◦] /, '').split(/\s+/)[0]);
  return out;
}

/**
 * Esc, then wait for the screen to change: a slow app could otherwise read Esc and
 * the next key in one chunk, which a terminal means as Alt+key.
 */
async function escape(until: (screen: string) => boolean, what: string): Promise<void> {
  await keys('Escape');
  await waitFor(until, what);
}
const inTable = (s: string) => /versions \(/.test(s);

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

interface Version { trees: number; depth: number; accuracy: number; logLoss: number; cm: number[][] }

function files(v: Version): Record<string, string> {
  const metrics = {
    accuracy: v.accuracy, log_loss: v.logLoss,
    confusion_matrix: { labels: ['no', 'yes'], matrix: v.cm },
    feature_importances: { age: 0.5, income: 0.3, score: 0.2 },
    cost: { seconds: 3.5, model_bytes: 2048, feature_count: 3 },
  };
  const metricsText = JSON.stringify(metrics, null, 2) + '\n';
  const params = `train:\n  n_estimators: ${v.trees}\n  max_depth: ${v.depth}\nseed: 42\n`;
  const lock = [
    'schema: 1',
    'stages:',
    '  train:',
    '    cmd: python train.py',
    '    params:',
    '      params.yaml:',
    `        train.n_estimators: ${v.trees}`,
    `        train.max_depth: ${v.depth}`,
    '    outs:',
    '      - path: model.pkl',
    `        hash: sha256:${sha256('model' + v.trees + v.depth)}`,
    `        size: ${1000 + v.trees}`,
    '    metrics:',
    '      - path: metrics.json',
    `        hash: sha256:${sha256(metricsText)}`,
    `        size: ${metricsText.length}`,
    '        cache: false',
    '        values:',
    `          accuracy: ${v.accuracy}`,
    `          log_loss: ${v.logLoss}`,
    '',
  ].join('\n');
  return { 'params.yaml': params, 'mlv.lock': lock, 'metrics.json': metricsText };
}

function write(repo: string, fileMap: Record<string, string>): void {
  for (const [p, text] of Object.entries(fileMap)) {
    mkdirSync(join(repo, p, '..'), { recursive: true });
    writeFileSync(join(repo, p), text);
  }
}

/** An experiment commit on top of `baseline`, without touching the work tree or index. */
function experiment(repo: string, baseline: string, name: string, v: Version, overrides: Record<string, number>, when: number): void {
  const index = join(repo, '.git', `mlv-e2e-index-${name}`);
  // A fixed date: rows under a baseline are newest first, and two commits made a moment
  // apart could otherwise fall either side of a second boundary.
  const date = `${when} +0000`;
  const genv = { ...env(), GIT_INDEX_FILE: index, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date };
  const run = (args: string[], input?: string) => {
    const r = spawnSync('git', args, { cwd: repo, env: genv, input, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  run(['read-tree', baseline]);
  for (const [p, text] of Object.entries(files(v))) {
    const blob = run(['hash-object', '-w', '--stdin'], text);
    run(['update-index', '--add', '--cacheinfo', `100644,${blob},${p}`]);
  }
  const tree = run(['write-tree']);
  const summary = Object.entries(overrides).map(([k, x]) => `${k}=${x}`).join(' ');
  const message = `mlv exp ${name}: ${summary}\n\nMlv-Exp-Name: ${name}\nMlv-Exp-Status: ok\nMlv-Exp-Params: ${JSON.stringify(overrides)}\n`;
  const commit = run(['commit-tree', tree, '-p', baseline, '-F', '-'], message);
  run(['update-ref', `refs/mlv/exps/${baseline}/${name}`, commit]);
}

function buildRepo(): { repo: string; c1: string; c2: string } {
  const repo = makeRepo();
  mlvOk(repo, ['init']);
  write(repo, { 'data/raw/a.csv': 'x,y\n1,2\n', 'data/raw/b.csv': 'x,y\n3,4\n', 'train.py': 'print("train")\n' });
  mlvOk(repo, ['add', 'data/raw']);
  write(repo, files({ trees: 50, depth: 6, accuracy: 0.82, logLoss: 0.44, cm: [[40, 10], [8, 42]] }));
  git(repo, ['add', '-A']);
  git(repo, ['commit', '-q', '-m', 'baseline forest']);
  const c1 = git(repo, ['rev-parse', 'HEAD']).trim();
  write(repo, { 'data/raw/c.csv': 'x,y\n5,6\n7,8\n' });
  mlvOk(repo, ['add', 'data/raw']);
  write(repo, files({ trees: 100, depth: 8, accuracy: 0.9, logLoss: 0.3, cm: [[45, 5], [5, 45]] }));
  git(repo, ['add', '-A']);
  git(repo, ['commit', '-q', '-m', 'more data, more trees']);
  const c2 = git(repo, ['rev-parse', 'HEAD']).trim();
  const t = Number(git(repo, ['log', '-1', '--format=%ct']).trim());
  experiment(repo, c2, 'deep', { trees: 100, depth: 16, accuracy: 0.93, logLoss: 0.21, cm: [[47, 3], [4, 46]] }, { 'train.max_depth': 16 }, t + 120);
  experiment(repo, c2, 'shallow', { trees: 100, depth: 3, accuracy: 0.86, logLoss: 0.37, cm: [[43, 7], [7, 43]] }, { 'train.max_depth': 3 }, t + 60);
  experiment(repo, c1, 'wide', { trees: 400, depth: 6, accuracy: 0.85, logLoss: 0.4, cm: [[42, 8], [7, 43]] }, { 'train.n_estimators': 400 }, t + 180);
  return { repo, c1, c2 };
}

test('mlv ui in tmux: table, detail, diff, trend, filter, resize, quit', { skip: hasTmux ? false : 'tmux is not installed' }, async () => {
  const { repo, c1, c2 } = buildRepo();
  try {
    tmux(['new-session', '-d', '-s', 'ui', '-x', '100', '-y', '30', '-c', repo,
      // CI=true as CI services set it: ink would then paint only on exit (a blank screen).
      `env -u NODE_OPTIONS CI=true ${process.execPath} ${MLV_BIN} ui; echo "EXIT=$?"; sleep 60`]);
    let screen = await waitFor((s) => s.includes('versions ('), 'the table');
    assert.match(screen, /5 versions \(2 commits, 3 exps\)/);
    assert.deepEqual(tableNames(screen), ['main', 'deep', 'shallow', c1.slice(0, 7), 'wide'],
      'newest commit (the branch tip) first, experiments beneath their baseline');
    assert.match(screen, /├ deep\s+\d\d-\d\d \d\d:\d\d\s+mlv exp deep: train\.max…\s+42\s+16\s+100/);

    // Detail of the `deep` experiment.
    await keys('Down', 'Enter');
    screen = await waitFor((s) => s.includes('Params ('), 'the detail');
    assert.match(screen, /detail {2}deep \(exp of /);
    assert.match(screen, new RegExp(`rebuild: mlv repro --rev [0-9a-f]{7}`));
    assert.match(screen, /train\.max_depth\s+16/);
    assert.match(screen, /accuracy\s+0\.93 {2}↑/);
    await keys('End');
    screen = await waitFor((s) => s.includes('Training cost'), 'the end of the detail');
    assert.match(screen, /no\s+│\s+47\s+3/);
    assert.match(screen, /age\s+0\.5 █+/);
    assert.match(screen, /time\s+3\.5 s/);

    // Diff of the branch tip and `shallow`.
    await escape(inTable, 'the table');
    await keys('Up', 'Space', 'Down', 'Down', 'Space', 'c');
    screen = await waitFor((s) => s.includes('Params changed'), 'the diff');
    assert.match(screen, /diff {2}main → shallow/);
    assert.match(screen, /train\.max_depth\s+8 → 3/);
    assert.match(screen, /accuracy\s+0\.9\s+0\.86\s+-0\.04\s+worse/);
    assert.match(screen, /log_loss\s+0\.3\s+0\.37\s+\+0\.07\s+worse/);
    assert.match(screen, /M model\.pkl/);

    // Diff of the two commits: the data directory gained a file.
    await escape(inTable, 'the table');
    await escape((s) => inTable(s) && !/^[12] /m.test(s), 'the marks cleared');
    await keys('Home', 'Space', 'Down', 'Down', 'Down', 'Space', 'Enter');
    screen = await waitFor((s) => s.includes('Artifacts changed'), 'the commit diff');
    assert.match(screen, new RegExp(`diff {2}main → ${c1.slice(0, 7)}`));
        assert.match(screen, /M data\/raw\/\s+28 B → 16 B \(-12 B\)\n\s+D c\.csv\s+12 B/, 'the file inside the directory, beneath it');

    // Baseline deltas and the sort, on the accuracy column.
    await escape(inTable, 'the table');
    await escape((s) => inTable(s) && !/^[12] /m.test(s), 'the marks cleared');
    await keys('Home', 'b');
    for (let i = 0; i < 6; i++) await keys('Right'); // past date, message and 3 params to accuracy
    await keys('s');
    screen = await waitFor((s) => s.includes('sort: metrics.json:accuracy'), 'the sort');
    assert.deepEqual(tableNames(screen), ['deep', 'main', 'shallow', 'wide', c1.slice(0, 7)]);
    assert.match(screen, /0\.93 \+0\.03/);

    // Trend of accuracy over the two commits.
    await keys('t');
    screen = await waitFor((s) => s.includes('sparkline'), 'the trend');
    assert.match(screen, /accuracy {2}\(higher is better\) {2}2 of 2 commits have it/);
    assert.match(screen, /latest\s+0\.9 \(main\) {2}\+0\.08 since/);

    // Filter by expression.
    await escape(inTable, 'the table');
    await keys('S', '/');
    tmux(['send-keys', '-t', 'ui', '-l', 'accuracy>0.88']);
    await keys('Enter');
    screen = await waitFor((s) => s.includes('filter: accuracy>0.88'), 'the filter');
    assert.match(screen, /2 of 5 versions/);

    // Resize to 80×24: everything still fits.
    tmux(['resize-window', '-t', 'ui', '-x', '80', '-y', '24']);
    await escape((s) => s.includes('5 versions (') && !s.includes('filter:'), 'the filter cleared');
    screen = await waitFor((s) => s.includes('5 versions (') && !s.includes('filter:'), 'the redraw at 80×24');
    for (const l of screen.split('\n')) assert.ok(l.length <= 80, l);

    await keys('q');
    screen = await waitFor((s) => s.includes('EXIT='), 'the exit');
    assert.match(screen, /EXIT=0/);
    assert.doesNotMatch(screen, /versions \(/, 'the alternate screen is gone');
    void c2;
  } finally {
    spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
    removeDir(repo);
  }
});
