/**
 * `exp best` and `exp show --sort-by` rank experiments with one comparator
 * (compare/rows.ts sortSpecFor + sortIndices): for any metric and direction, the best is
 * the first experiment row of the sorted table and the tied are the experiments after it
 * with the same value, in table order. Real repos, the real CLI.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeExpRepo } from '../helpers/exp.js';
import { git, mlvOk, removeDir } from '../helpers/repo.js';

let dir: string;
before(() => {
  dir = makeExpRepo();
  // accuracy = t·d/(t·d+10): a and b tie at the top, d and e at the bottom, across two baselines.
  mlvOk(dir, ['exp', 'run', '-q', '-S', 'train.trees=30', '-S', 'train.depth=2', '--name', 'a']);
  mlvOk(dir, ['exp', 'run', '-q', '-S', 'train.trees=5', '-S', 'train.depth=3', '--name', 'd']);
  writeFileSync(join(dir, 'notes.txt'), 'a second baseline\n');
  git(dir, ['add', 'notes.txt']);
  git(dir, ['commit', '-qm', 'second baseline']);
  mlvOk(dir, ['exp', 'run', '-q', '-S', 'train.trees=20', '-S', 'train.depth=3', '--name', 'b']);
  mlvOk(dir, ['exp', 'run', '-q', '-S', 'train.trees=15', '-S', 'train.depth=1', '--name', 'e']);
  mlvOk(dir, ['exp', 'run', '-q', '-S', 'train.trees=10', '-S', 'train.depth=4', '--name', 'c']);
});
after(() => removeDir(dir));

interface Row { kind: string; name: string; metrics: Record<string, number> }

for (const [metric, showFlags, bestFlags, want] of [
  ['accuracy', [], [], 'max'],
  ['loss', [], [], 'min'],
  ['accuracy', ['--asc'], ['--min'], 'min'],
  ['loss', ['--desc'], ['--max'], 'max'],
] as const) {
  test(`exp best --metric ${metric} ${bestFlags.join(' ')} is the first experiment of exp show --sort-by ${metric} ${showFlags.join(' ')}, ties alike`, () => {
    const show = JSON.parse(mlvOk(dir, ['exp', 'show', '--sort-by', metric, ...showFlags, '--json']).stdout) as { rows: Row[]; sortBy: { key: string } };
    const best = JSON.parse(mlvOk(dir, ['exp', 'best', '--metric', metric, ...bestFlags, '--json']).stdout) as { metric: string; direction: string; value: number; best: Row; tied: string[]; considered: number };
    const exps = show.rows.filter((r) => r.kind === 'exp');
    assert.equal(best.metric, show.sortBy.key);
    assert.equal(best.direction, want);
    assert.equal(best.considered, 5);
    assert.equal(best.best.name, exps[0].name);
    assert.equal(best.value, exps[0].metrics[best.metric]);
    assert.deepEqual(best.tied, exps.slice(1).filter((r) => r.metrics[best.metric] === best.value).map((r) => r.name));
    assert.equal(best.tied.length, 1, 'the fixture ties two experiments at each end');
  });
}
