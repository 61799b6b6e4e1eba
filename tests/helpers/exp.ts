/**
 * The experiment set-up shared by the exp and queue tests: a tiny deterministic two-stage
 * pipeline of `node -e` commands in a real repository, reproduced and committed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, makeRepo, mlvOk } from './repo.js';

// prepare counts the data's lines; train reads params.yaml, writes a model directory and
// metrics.json. trees < 0 fails; SLOW=ms (from the environment) makes train sleep.
const PREPARE = `node -e "const f=require('fs');f.writeFileSync('prep.txt',String(f.readFileSync('data/raw.txt','utf8').trim().split('\\\\n').length))"`;
const TRAIN = `node -e "const f=require('fs');const p=f.readFileSync('params.yaml','utf8');const t=+/trees: *(-?[0-9.]+)/.exec(p)[1],d=+/depth: *(-?[0-9.]+)/.exec(p)[1],n=+f.readFileSync('prep.txt','utf8');if(t<0){console.error('negative trees');process.exit(3)}if(process.env.SLOW)Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0,+process.env.SLOW);f.mkdirSync('model',{recursive:true});f.writeFileSync('model/m.txt',t+'x'+d+'x'+n);f.writeFileSync('metrics.json',JSON.stringify({accuracy:t*d/(t*d+n),loss:n/(t*d+n)}))"`;

/** mlv.yaml of the two stages: prepare (data/raw.txt → prep.txt), train (prep.txt and `params` → model/, metrics.json). */
export function pipelineYaml(prepare: string, train: string, params: string[]): string {
  return `stages:
  prepare:
    cmd: ${JSON.stringify(prepare)}
    deps: [data/raw.txt]
    outs: [prep.txt]
  train:
    cmd: ${JSON.stringify(train)}
    deps: [prep.txt]
    params: [${params.join(', ')}]
    outs: [model]
    metrics:
      - metrics.json:
          cache: false
`;
}

export const PIPELINE = pipelineYaml(PREPARE, TRAIN, ['train.trees', 'train.depth']);

/** train's accuracy for trees t, depth d and n data lines. */
export const accuracy = (t: number, d: number, n = 10) => (t * d) / (t * d + n);

/**
 * A repository with the pipeline reproduced (10 data lines, trees 10, depth 3); `beforeCommit`
 * adds to it (a remote, a queue section) before the baseline commit.
 */
export function makeExpRepo(beforeCommit: (dir: string) => void = () => undefined): string {
  const dir = makeRepo();
  mlvOk(dir, ['init']);
  writeFileSync(join(dir, 'params.yaml'), '# hyperparameters\ntrain:\n  trees: 10\n  depth: 3\n');
  writeFileSync(join(dir, 'mlv.yaml'), PIPELINE);
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'data', 'raw.txt'), Array.from({ length: 10 }, (_, i) => `row ${i}`).join('\n') + '\n');
  mlvOk(dir, ['add', 'data/raw.txt']);
  mlvOk(dir, ['repro', '-q']);
  beforeCommit(dir);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-qm', 'baseline']);
  return dir;
}
