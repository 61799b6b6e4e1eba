/**
 * `mlv repro --rev` of a commit recorded by an older mlv, whose `mlv train` wrote fewer
 * keys (no `training_data` in the model, no `train_accuracy`/`gap` metrics): everything
 * recorded must still rebuild equal and the check passes, saying what is new; a recorded
 * value that rebuilds differently still fails. Real CLI, real git, the iris fixture.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { git, makeRepo, mlv, mlvOk, removeDir, ROOT } from '../helpers/repo.js';

let dir: string;
const commitAll = (msg: string) => { git(dir, ['add', '-A']); git(dir, ['commit', '-qm', msg]); };

before(() => {
  dir = makeRepo();
  mlvOk(dir, ['init']);
  copyFileSync(join(ROOT, 'fixtures/ml/iris.csv'), join(dir, 'iris.csv'));
  mlvOk(dir, ['add', 'iris.csv']);
  writeFileSync(join(dir, 'mlv.yaml'), `stages:
  train:
    cmd: mlv train iris.csv --target species -o model.json --metrics metrics.json
    deps: [iris.csv]
    outs: [model.json]
    metrics: [metrics.json]
`);
  mlvOk(dir, ['repro']);
  commitAll('trained');
});
after(() => removeDir(dir));

/**
 * Record the model as `edit` makes it (what an older mlv wrote, say) in the cache and in
 * mlv.lock, drop the given metrics from the lock, and commit that.
 */
function recordAsOlder(edit: (model: Record<string, unknown>) => void, dropMetrics: string[], msg: string): void {
  const model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as Record<string, unknown>;
  edit(model);
  const bytes = Buffer.from(JSON.stringify(model));
  const hash = createHash('sha256').update(bytes).digest('hex');
  const obj = join(dir, '.mlv/cache/objects/sha256', hash.slice(0, 2), hash.slice(2));
  mkdirSync(dirname(obj), { recursive: true });
  writeFileSync(obj, bytes);
  chmodSync(obj, 0o444);
  let lock = readFileSync(join(dir, 'mlv.lock'), 'utf8');
  lock = lock.replace(/(- cache: true\n\s+hash: sha256:)[0-9a-f]{64}(\n\s+kind: file\n\s+path: model\.json\n\s+size: )\d+/, `$1${hash}$2${bytes.length}`);
  assert.ok(lock.includes(hash), 'the lock now records the edited model');
  for (const m of dropMetrics) lock = lock.replace(new RegExp(`\\n\\s+${m}: [^\\n]+`), '');
  writeFileSync(join(dir, 'mlv.lock'), lock);
  commitAll(msg);
}

test('a commit whose model and metrics lack what this mlv adds still reproduces, and the new keys are named', () => {
  recordAsOlder((m) => { delete m.training_data; }, ['train_accuracy', 'gap'], 'as an older mlv recorded it');
  const r = mlv(dir, ['repro', '--rev', 'HEAD', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { match: boolean; rows: Array<{ name: string; kind: string; match: boolean; added?: string[] }> };
  assert.equal(j.match, true);
  const model = j.rows.find((x) => x.name === 'model.json')!;
  assert.deepEqual(model.added, ['training_data']);
  assert.deepEqual(j.rows.filter((x) => x.kind === 'metric' && x.added).map((x) => x.name).sort(), ['metrics.json:gap', 'metrics.json:train_accuracy']);
  // Every recorded metric was compared, not skipped.
  assert.ok(j.rows.some((x) => x.name === 'metrics.json:accuracy' && x.match && !x.added));
  const text = mlv(dir, ['repro', '--rev', 'HEAD']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /yes\*/);
  assert.match(text.stdout, /model\.json \(training_data\)/);
});

test('a recorded model value that rebuilds differently still fails, even beside added keys', () => {
  git(dir, ['reset', '-q', '--hard', 'HEAD~1']);
  mlvOk(dir, ['checkout']);
  recordAsOlder((m) => { delete m.training_data; m.seed = 12345; }, [], 'a model that does not rebuild');
  const r = mlv(dir, ['repro', '--rev', 'HEAD', '--json']);
  assert.equal(r.code, 1, r.stderr);
  const j = JSON.parse(r.stdout) as { match: boolean; rows: Array<{ name: string; match: boolean; added?: string[] }> };
  const model = j.rows.find((x) => x.name === 'model.json')!;
  assert.equal(model.match, false);
  assert.equal(model.added, undefined);
  assert.match(r.stderr, /does not reproduce: 1 of \d+ differ: model\.json/);
});
