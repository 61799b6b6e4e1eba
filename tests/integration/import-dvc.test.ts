/**
 * `mlv import-dvc` on DVC 2.x and 3.x repositories built from DVC's documented formats
 * (.dvc files, dvc.yaml, dvc.lock schema 2.0, md5 objects and `.dir` JSON listings in
 * the cache layouts), shaped after iterative/example-get-started. Real git, the real CLI.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { git, makeRepo, mlv, mlvOk, removeDir } from '../helpers/repo.js';

const write = (dir: string, rel: string, data: string | Buffer) => {
  mkdirSync(join(dir, rel, '..'), { recursive: true });
  writeFileSync(join(dir, rel), data);
};
const read = (dir: string, rel: string) => readFileSync(join(dir, rel), 'utf8');
const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

/** DVC's object path for an md5 in either layout. */
const objPath = (dir: string, v: 2 | 3, h: string) => join(dir, '.dvc', 'cache', ...(v === 3 ? ['files', 'md5'] : []), h.slice(0, 2), h.slice(2));

/** Put a file or directory of the work tree into the DVC cache as DVC does; its lock/.dvc entry fields. */
function cacheIt(dir: string, v: 2 | 3, rel: string): Record<string, unknown> {
  const abs = join(dir, rel);
  const hashField = v === 3 ? { hash: 'md5' } : {};
  if (statSync(abs).isFile()) {
    const b = readFileSync(abs);
    write(dir, objPath(dir, v, md5(b)).slice(dir.length + 1), b);
    return { md5: md5(b), size: b.length, ...hashField };
  }
  const files = (readdirSync(abs, { recursive: true }) as string[]).filter((f) => statSync(join(abs, f)).isFile()).sort();
  const list = files.map((f) => {
    const b = readFileSync(join(abs, f));
    write(dir, objPath(dir, v, md5(b)).slice(dir.length + 1), b);
    return { md5: md5(b), relpath: f };
  });
  // Python's json.dumps(list, sort_keys=True): ", " and ": " separators.
  const json = '[' + list.map((e) => `{"md5": "${e.md5}", "relpath": ${JSON.stringify(e.relpath)}}`).join(', ') + ']';
  const h = md5(json) + '.dir';
  write(dir, objPath(dir, v, h).slice(dir.length + 1), json);
  const size = files.reduce((s, f) => s + statSync(join(abs, f)).size, 0);
  return { md5: h, size, nfiles: files.length, ...hashField };
}

const fileEntry = (dir: string, v: 2 | 3, rel: string) => {
  const b = readFileSync(join(dir, rel));
  return { md5: md5(b), size: b.length, ...(v === 3 ? { hash: 'md5' } : {}) };
};

const yamlList = (entries: Array<Record<string, unknown>>, indent: string) =>
  entries.map((e) => Object.entries(e).map(([k, val], i) => `${indent}${i === 0 ? '- ' : '  '}${k}: ${val}`).join('\n')).join('\n');

/**
 * A DVC project as `dvc add` + `dvc repro` leave it: data/data.xml and data/images
 * tracked by .dvc files, a two-stage pipeline with params, a metric and plots, remotes.
 */
function dvcRepo(v: 2 | 3): string {
  const dir = makeRepo();
  write(dir, '.dvc/.gitignore', '/config.local\n/tmp\n/cache\n');
  write(dir, '.dvc/config', `[core]\n    remote = storage\n['remote "storage"']\n    url = ../../dvc-store\n['remote "s3store"']\n    url = s3://my-bucket/dvc\n    endpointurl = http://127.0.0.1:9000\n['remote "gd"']\n    url = gdrive://0AIac4JZqHhKmUk9PDA\n`);
  write(dir, '.dvcignore', '# DVC ignore\n');
  write(dir, 'data/data.xml', '<posts>\n' + Array.from({ length: 50 }, (_, i) => `<row id="${i}"/>`).join('\n') + '\n</posts>\n');
  write(dir, 'data/images/cat.png', Buffer.from([137, 80, 78, 71, 0, 1, 2, 3]));
  write(dir, 'data/images/sub/dog.png', Buffer.from([137, 80, 78, 71, 9, 9]));
  write(dir, 'data/.gitignore', '/data.xml\n/images\n/prepared\n');
  for (const rel of ['data/data.xml', 'data/images']) {
    const e = cacheIt(dir, v, rel);
    const name = rel.split('/').pop()!;
    write(dir, `${rel}.dvc`, `outs:\n${yamlList([{ ...e, path: name }], '')}\n`);
  }
  write(dir, 'params.yaml', 'prepare:\n  split: 0.2\n  seed: 20170428\ntrain:\n  n_est: 50\n');
  write(dir, 'src/prepare.sh', 'mkdir -p data/prepared && head -n 20 data/data.xml > data/prepared/train.xml && tail -n 10 data/data.xml > data/prepared/test.xml\n');
  write(dir, 'dvc.yaml', [
    'stages:',
    '  prepare:',
    '    cmd: sh src/prepare.sh',
    '    deps:',
    '    - data/data.xml',
    '    - src/prepare.sh',
    '    params:',
    '    - prepare.seed',
    '    - prepare.split',
    '    outs:',
    '    - data/prepared',
    '  train:',
    '    cmd: sh src/train.sh',
    '    deps:',
    '    - data/prepared',
    '    - src/train.sh',
    '    params:',
    '    - train.n_est',
    '    outs:',
    '    - model.pkl',
    '    metrics:',
    '    - scores.json:',
    '        cache: false',
    'plots:',
    '- scores.json',
    '',
  ].join('\n'));
  execSync('sh src/prepare.sh', { cwd: dir });
  write(dir, 'src/train.sh', `wc -l < data/prepared/train.xml > model.pkl && echo '{"auc": 0.91, "n": 20}' > scores.json\n`);
  execSync('sh src/train.sh', { cwd: dir });
  write(dir, '.gitignore', '/model.pkl\n');
  const prepared = cacheIt(dir, v, 'data/prepared');
  const model = cacheIt(dir, v, 'model.pkl');
  const lock = [
    "schema: '2.0'",
    'stages:',
    '  prepare:',
    '    cmd: sh src/prepare.sh',
    '    deps:',
    yamlList([{ path: 'data/data.xml', ...fileEntry(dir, v, 'data/data.xml') }, { path: 'src/prepare.sh', ...fileEntry(dir, v, 'src/prepare.sh') }], '    '),
    '    params:',
    '      params.yaml:',
    '        prepare.seed: 20170428',
    '        prepare.split: 0.2',
    '    outs:',
    yamlList([{ path: 'data/prepared', ...prepared }], '    '),
    '  train:',
    '    cmd: sh src/train.sh',
    '    deps:',
    yamlList([{ path: 'data/prepared', ...prepared }, { path: 'src/train.sh', ...fileEntry(dir, v, 'src/train.sh') }], '    '),
    '    params:',
    '      params.yaml:',
    '        train.n_est: 50',
    '    outs:',
    yamlList([{ path: 'model.pkl', ...model }, { path: 'scores.json', ...fileEntry(dir, v, 'scores.json') }], '    '),
    '',
  ].join('\n');
  write(dir, 'dvc.lock', lock);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-qm', 'dvc project']);
  return dir;
}

const tracked = (dir: string) => git(dir, ['status', '--porcelain', '--untracked-files=all']);

for (const v of [3, 2] as const) {
  test(`DVC ${v}.x: --dry-run prints the plan and writes nothing; the import makes status clean and repro a no-op`, () => {
    const dir = dvcRepo(v);
    try {
      const before = tracked(dir);
      const dry = mlvOk(dir, ['import-dvc', '--dry-run', '--json']);
      const plan = JSON.parse(dry.stdout);
      assert.equal(plan.dryRun, true);
      assert.deepEqual(plan.pointers.map((p: { path: string; kind: string }) => [p.path, p.kind]), [['data/data.xml', 'file'], ['data/images', 'dir']]);
      assert.deepEqual(plan.stages, ['prepare', 'train']);
      assert.deepEqual(plan.missing, []);
      assert.equal(plan.objects, 1 + 1 + 2 + 1 + 2 + 1, 'xml, images.dir + 2, prepared.dir + 2, model');
      assert.equal(tracked(dir), before, 'a dry run writes nothing');
      assert.equal(existsSync(join(dir, '.mlv')), false);

      const r = mlvOk(dir, ['import-dvc']);
      assert.match(r.stdout, /pointer {2}data\/images\.mlv {2}\(dir, 2 files, from data\/images\.dvc\)/);
      assert.match(r.stdout, /mlv\.lock recorded: prepare, train/);
      assert.match(r.stdout, /git rm -r -q \.dvc \.dvcignore dvc\.yaml dvc\.lock data\/data\.xml\.dvc data\/images\.dvc && rm -rf \.dvc/);
      assert.match(r.stderr, /skipped: remote 'gd' \(gdrive:\/\/0AIac4JZqHhKmUk9PDA\): gdrive: remotes are not supported/);
      assert.match(r.stderr, /note: dvc\.yaml: top-level 'plots' is not imported/);
      // DVC's files stay; mlv's are new.
      for (const f of ['.dvc/config', 'dvc.yaml', 'dvc.lock', 'data/data.xml.dvc']) assert.ok(existsSync(join(dir, f)), f);
      assert.match(read(dir, 'data/images.mlv'), /kind: dir\nhash: sha256:[0-9a-f]{64}\nsize: 14\nfiles: 2\n/);
      const config = read(dir, '.mlv/config');
      assert.match(config, /default_remote: "storage"/);
      // DVC resolves a relative remote against .dvc/, mlv against the root.
      assert.match(config, /storage:\n\s+url: "\.\.\/dvc-store"/);
      assert.match(config, /s3store:\n\s+url: "s3:\/\/my-bucket\/dvc"\n\s+endpoint_url: "http:\/\/127\.0\.0\.1:9000"/);
      assert.doesNotMatch(config, /gd:/);

      const status = mlv(dir, ['status', '--check', '--json']);
      assert.equal(status.code, 0, status.stdout + status.stderr);
      const repro = JSON.parse(mlvOk(dir, ['repro', '--json']).stdout);
      assert.deepEqual(repro.ran, []);
      assert.deepEqual(repro.upToDate.sort(), ['prepare', 'train']);
      assert.match(read(dir, 'mlv.lock'), /values:\n\s+auc: 0\.91\n\s+n: 20/);
      // The data is now mlv's: delete it and check it out of the mlv cache.
      rmSync(join(dir, 'data/images'), { recursive: true });
      rmSync(join(dir, 'data/prepared'), { recursive: true });
      mlvOk(dir, ['checkout']);
      assert.deepEqual([...readFileSync(join(dir, 'data/images/sub/dog.png'))], [137, 80, 78, 71, 9, 9]);
      assert.equal(mlv(dir, ['status', '--check']).code, 0);
    } finally { removeDir(dir); }
  });
}

test('a missing DVC cache object is listed with the dvc pull that fetches it, and nothing is imported', () => {
  const dir = dvcRepo(3);
  try {
    const before = tracked(dir);
    const dog = md5(Buffer.from([137, 80, 78, 71, 9, 9]));
    rmSync(objPath(dir, 3, dog));
    const dry = JSON.parse(mlvOk(dir, ['import-dvc', '--dry-run', '--json']).stdout);
    assert.deepEqual(dry.missing, [{ path: 'data/images/sub/dog.png', md5: dog, pull: 'dvc pull data/images.dvc' }]);
    const r = mlv(dir, ['import-dvc']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`lacks 1 object\\(s\\): data/images/sub/dog\\.png \\(${dog}\\); fetch them with: dvc pull data/images\\.dvc — nothing was imported`));
    assert.equal(tracked(dir), before);
    assert.equal(existsSync(join(dir, '.mlv')), false);
  } finally { removeDir(dir); }
});

test('an object whose bytes do not match its md5 stops the import before anything points at it', () => {
  const dir = dvcRepo(2);
  try {
    const before = tracked(dir);
    const model = md5(readFileSync(join(dir, 'model.pkl')));
    const p = objPath(dir, 2, model);
    writeFileSync(p, 'tampered');
    const r = mlv(dir, ['import-dvc']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`object ${model} is corrupt`));
    assert.equal(tracked(dir), before, 'no pointer, mlv.yaml, .mlv or .gitattributes left');
    assert.equal(existsSync(join(dir, '.mlv')), false);
    assert.equal(spawnSync('git', ['config', '--get', 'merge.mlv.driver'], { cwd: dir }).status, 1);
  } finally { removeDir(dir); }
});

test('a stage whose inputs changed since dvc.lock is left out of mlv.lock, so mlv repro runs it as DVC would', () => {
  const dir = dvcRepo(3);
  try {
    write(dir, 'params.yaml', 'prepare:\n  split: 0.2\n  seed: 20170428\ntrain:\n  n_est: 80\n');
    const r = mlvOk(dir, ['import-dvc', '--json']);
    const res = JSON.parse(r.stdout);
    assert.deepEqual(res.recorded, ['prepare']);
    assert.deepEqual(res.stale, [{ stage: 'train', reason: 'param params.yaml:train.n_est changed since dvc.lock' }]);
    const s = JSON.parse(mlv(dir, ['status', '--json']).stdout);
    assert.deepEqual(s.stages.filter((x: { reasons: string[] }) => x.reasons.length).map((x: { stage: string }) => x.stage), ['train']);
    const repro = JSON.parse(mlvOk(dir, ['repro', '--json']).stdout);
    assert.deepEqual(repro.ran, ['train']);
  } finally { removeDir(dir); }
});

test('foreach templates are refused with the line that uses them', () => {
  const dir = dvcRepo(3);
  try {
    write(dir, 'dvc.yaml', 'stages:\n  build:\n    foreach: [a, b]\n    do:\n      cmd: echo ${item}\n');
    const r = mlv(dir, ['import-dvc', '--dry-run']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /dvc\.yaml:3: stage 'build' uses 'foreach' templating, which mlv import-dvc does not expand/);
    const r2 = mlv(makeRepoNoDvc(), ['import-dvc']);
    assert.equal(r2.code, 2);
    assert.match(r2.stderr, /not a DVC repository/);
  } finally { removeDir(dir); }
});

function makeRepoNoDvc(): string {
  const d = makeRepo();
  process.on('exit', () => removeDir(d));
  return d;
}

test('import-dvc waiting for .mlv/lock says so in the line every command prints, honours MLV_LOCK_TIMEOUT, and imports nothing meanwhile', () => {
  const dir = dvcRepo(3);
  try {
    mlvOk(dir, ['init']);
    const lock = join(dir, '.mlv', 'lock');
    writeFileSync(lock, `${process.pid} ${hostname()} feedfacefeedface gc\n`);
    const t0 = Date.now();
    const r = mlv(dir, ['import-dvc'], { env: { MLV_LOCK_TIMEOUT: '0.3' } });
    assert.equal(r.code, 2, r.stderr);
    assert.ok(Date.now() - t0 < 8000, 'MLV_LOCK_TIMEOUT sets the wait');
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 2, r.stderr);
    assert.equal(lines[0], `mlv: waiting for .mlv/lock held by pid ${process.pid} (mlv gc)… up to 0.3 s (MLV_LOCK_TIMEOUT sets the wait)`);
    assert.match(lines[1], /^mlv: \.mlv\/lock: held by mlv gc/);
    assert.equal(existsSync(join(dir, 'data', 'data.xml.mlv')), false, 'nothing imported');
    rmSync(lock);
    mlvOk(dir, ['import-dvc']);
    assert.ok(existsSync(join(dir, 'data', 'data.xml.mlv')));
  } finally {
    removeDir(dir);
  }
});
