/**
 * `mlv diff` text output: a large group of sibling metrics (per-feature importances)
 * is one summary line naming the largest change; --all and --json list every key.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, makeRepo, mlvOk, removeDir } from '../helpers/repo.js';

const STAGE = `stages:
  score:
    cmd: node score.js
    deps: [score.js, params.yaml]
    metrics: [metrics.json]
`;
// 12 importances and an accuracy, all driven by params.yaml's k.
const SCRIPT = `const fs = require('fs');
const k = Number(/k: (\\d+)/.exec(fs.readFileSync('params.yaml', 'utf8'))[1]);
const fi = {};
for (let i = 0; i < 12; i++) fi['f' + i] = i === 7 ? k / 10 : 0.01 * i + k / 1000;
fs.writeFileSync('metrics.json', JSON.stringify({ accuracy: 0.5 + k / 100, feature_importances: fi }));
`;

test('diff summarises a large group of sibling metrics; --all and --json list them', () => {
  const dir = makeRepo();
  try {
    mlvOk(dir, ['init']);
    writeFileSync(join(dir, 'mlv.yaml'), STAGE);
    writeFileSync(join(dir, 'score.js'), SCRIPT);
    writeFileSync(join(dir, 'params.yaml'), 'k: 1\n');
    mlvOk(dir, ['repro']);
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-qm', 'k=1']);
    writeFileSync(join(dir, 'params.yaml'), 'k: 3\n');
    mlvOk(dir, ['repro']);

    const text = mlvOk(dir, ['diff', 'HEAD']).stdout;
    assert.match(text, /metrics\.json:accuracy: 0\.51 → 0\.53 {2}\(\+0\.02\)/);
    assert.match(text, /metrics\.json:feature_importances\.\*: 12 changed, largest f7: 0\.1 → 0\.3 {2}\(\+0\.2\)/);
    assert.doesNotMatch(text, /feature_importances\.f3/);

    const all = mlvOk(dir, ['diff', 'HEAD', '--all']).stdout;
    for (let i = 0; i < 12; i++) assert.match(all, new RegExp(`feature_importances\\.f${i}: `));
    const json = JSON.parse(mlvOk(dir, ['diff', 'HEAD', '--json']).stdout);
    assert.equal(json.metrics.filter((m: { key: string }) => m.key.includes('feature_importances.')).length, 12);
  } finally {
    removeDir(dir);
  }
});
