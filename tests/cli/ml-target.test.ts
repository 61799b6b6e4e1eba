import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mlv, removeDir, tempDir } from '../helpers/repo.js';

test('derived target: the label is made from a source that leaves the features; predict with and without the source', (t) => {
  const dir = tempDir('mlv-cli-target-');
  t.after(() => removeDir(dir));
  const ok = (args: string[]) => {
    const r = mlv(dir, args);
    assert.equal(r.code, 0, `${args.join(' ')}\n${r.stderr}`);
    return r;
  };
  // affairs > 0 is mostly decided by years married and happiness.
  const lines = ['years,happy,religious,affairs'];
  for (let i = 0; i < 300; i++) {
    const years = 1 + (i * 7) % 20, happy = 1 + (i * 3) % 5, rel = 1 + (i * 11) % 4;
    const affairs = years > 8 && happy < 3 ? 1 + (i % 6) : i % 17 === 0 ? 2 : 0;
    lines.push(`${years},${happy},${rel},${affairs}`);
  }
  writeFileSync(join(dir, 'survey.csv'), lines.join('\n') + '\n');
  writeFileSync(join(dir, 'spec.yaml'), 'version: 1\ntarget: {name: had_affair, expr: "affairs > 0"}\nsteps:\n  - scale:\n      years: standard\n  - drop: [affairs]\n');
  ok(['split', 'survey.csv', '-o', 'train.csv', 'test.csv', '--test-size', '0.25', '--seed', '2']);
  const f = JSON.parse(ok(['featurize', '--spec', 'spec.yaml', 'train.csv', '-o', 'train.f.csv', '--json']).stdout);
  assert.deepEqual(f.outputs, ['years', 'happy', 'religious', 'had_affair']);
  assert.deepEqual(f.inputs.sort(), ['happy', 'religious', 'years']);
  const state = JSON.parse(readFileSync(join(dir, 'train.f.csv.featurize.json'), 'utf8'));
  assert.equal(state.target_expr, 'affairs > 0');
  // The label column holds 1 exactly where affairs > 0.
  const train = readFileSync(join(dir, 'train.csv'), 'utf8').trimEnd().split('\n').slice(1).map((l) => Number(l.split(',')[3]) > 0 ? 1 : 0);
  const label = readFileSync(join(dir, 'train.f.csv'), 'utf8').trimEnd().split('\n').slice(1).map((l) => Number(l.split(',')[3]));
  assert.deepEqual(label, train);

  ok(['train', 'train.f.csv', '--target', 'had_affair', '--task', 'classification', '--algorithm', 'decision_tree', '-o', 'model.json']);
  // Rows to evaluate hold the source: y_true is the derived label.
  ok(['predict', 'model.json', 'test.csv', '-o', 'preds.csv']);
  const preds = readFileSync(join(dir, 'preds.csv'), 'utf8').trimEnd().split('\n');
  assert.match(preds[0], /y_true/);
  const ev = JSON.parse(ok(['evaluate', 'preds.csv', '--task', 'classification', '--json']).stdout);
  assert.ok(ev.accuracy > 0.7, `accuracy ${ev.accuracy}`);
  // New rows without the source: predictions, no y_true.
  const fresh = readFileSync(join(dir, 'test.csv'), 'utf8').trimEnd().split('\n').map((l) => l.split(',').slice(0, 3).join(','));
  writeFileSync(join(dir, 'new.csv'), fresh.join('\n') + '\n');
  ok(['predict', 'model.json', 'new.csv', '-o', 'new.preds.csv']);
  const np = readFileSync(join(dir, 'new.preds.csv'), 'utf8').trimEnd().split('\n');
  assert.doesNotMatch(np[0], /y_true/);
  assert.equal(np.length, preds.length);

  // The leak guard: a step that reads the label's source is an error saying why.
  writeFileSync(join(dir, 'leak.yaml'), 'version: 1\ntarget: {name: had_affair, expr: "affairs > 0"}\nsteps:\n  - derive:\n      many: {expr: "affairs * 2"}\n');
  const r = mlv(dir, ['featurize', '--spec', 'leak.yaml', 'train.csv', '-o', 'leak.csv']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /leak\.yaml:4: steps\[0\]\.derive: column "affairs" is read only to make the target "had_affair" \(target\.expr\); a step cannot use it: it would leak the label/);
  assert.ok(!existsSync(join(dir, 'leak.csv')));
});
