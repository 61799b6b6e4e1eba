/**
 * mlv as a library, imported the way a user's project does: a temp project that depends
 * on this package (`npm install file:<root>`, with the built dist/) runs a script with
 * `import { add, reproduce } from 'mlv'` against a real git repository, and a
 * TypeScript file using the package's types compiles.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { env, git, makeRepo, mlvOk, removeDir, ROOT, tempDir } from '../helpers/repo.js';

const SCRIPT = `import { add, reproduce, status, InputError, MlvError } from 'mlv';
const cwd = process.argv[2];
const added = await add({ cwd, paths: ['data.csv'], desc: 'from a script' });
const first = await reproduce({ cwd });
const again = await reproduce({ cwd });
let refused;
try { await add({ cwd, paths: ['out.txt'] }); } catch (e) {
  refused = { input: e instanceof InputError, mlv: e instanceof MlvError, code: e.code, message: e.message };
}
const s = await status({ cwd });
console.log(JSON.stringify({ added: added.map((a) => [a.path, a.pointer, a.changed]), ran: first.ran, again: again.upToDate, refused, stages: s.stages }));
`;

const TYPED = `import { add, reproduce, type AddedPath, type ReproduceResult, NotFoundError } from 'mlv';
export async function run(cwd: string): Promise<[AddedPath[], ReproduceResult]> {
  const a = await add({ cwd, paths: ['x'] });
  const r = await reproduce({ cwd, jobs: 1 });
  if (r.ran.length > 99) throw new NotFoundError('path', 'never');
  return [a, r];
}
// @ts-expect-error add needs paths: the package's types are checked, not any
add({ cwd: '.' });
`;

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, env: env(), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

test("a project that depends on mlv imports { add, reproduce } from 'mlv' and runs them", () => {
  const project = tempDir('mlv-lib-');
  const repo = makeRepo();
  try {
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'uses-mlv', private: true, type: 'module' }));
    run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', `file:${ROOT}`], project);
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
    assert.match(pkg.dependencies.mlv, /^file:/);

    mlvOk(repo, ['init']);
    writeFileSync(join(repo, 'data.csv'), 'a,b\n1,2\n');
    writeFileSync(join(repo, 'mlv.yaml'), `stages:\n  make:\n    cmd: node -e "require('fs').writeFileSync('out.txt', 'made')"\n    deps: [data.csv]\n    outs: [out.txt]\n`);
    writeFileSync(join(project, 'script.mjs'), SCRIPT);
    const r = JSON.parse(run(process.execPath, ['script.mjs', repo], project));
    assert.deepEqual(r.added, [['data.csv', 'data.csv.mlv', true]]);
    assert.deepEqual(r.ran, ['make']);
    assert.deepEqual(r.again, ['make']);
    assert.equal(r.refused.input, true);
    assert.equal(r.refused.mlv, true);
    assert.match(r.refused.message, /out\.txt: is an output of stage make/);
    assert.deepEqual(r.stages, []);
    assert.equal(readFileSync(join(repo, 'out.txt'), 'utf8'), 'made');
    assert.ok(existsSync(join(repo, 'data.csv.mlv')));
    git(repo, ['add', '-A']);
    assert.match(git(repo, ['status', '--porcelain']), /A {2}mlv\.lock/);

    // The types: a TypeScript file using the package compiles under NodeNext resolution.
    writeFileSync(join(project, 'typed.ts'), TYPED);
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true, types: [] }, files: ['typed.ts'] }));
    run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], project);
  } finally {
    removeDir(project);
    removeDir(repo);
  }
});

test('the packed package holds the entry point its exports name', () => {
  const files = JSON.parse(run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], ROOT))[0].files.map((f: { path: string }) => f.path);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  for (const p of [pkg.exports['.'].import, pkg.exports['.'].types, pkg.main, pkg.types]) {
    assert.ok(files.includes(p.replace(/^\.\//, '')), `${p} is in the package`);
  }
});
