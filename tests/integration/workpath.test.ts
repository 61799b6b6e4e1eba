/**
 * Paths from data never lead outside the work tree (issue 11, item 1): a cloned
 * repository is untrusted input. Each case drives the real CLI against real git repos
 * and checks both the refusal (exit 2, one line naming the file and the path) and that
 * nothing outside the repository was written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { git, makeRepo, mlv, mlvOk, removeDir, tempDir } from '../helpers/repo.js';

const write = (dir: string, rel: string, data: string) => {
  mkdirSync(join(dir, rel, '..'), { recursive: true });
  writeFileSync(join(dir, rel), data);
};
const read = (p: string) => readFileSync(p, 'utf8');

/** A refusal as the issue asks: exit 2, one line on stderr naming the file and the path. */
function assertRefused(r: { code: number; stderr: string }, file: RegExp, path: string): void {
  assert.equal(r.code, 2, `expected exit 2, got ${r.code}: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], file);
  assert.ok(lines[0].includes(`'${path}'`), `names the path ${path}: ${lines[0]}`);
}

function initRepo(): string {
  const dir = makeRepo();
  mlvOk(dir, ['init']);
  return dir;
}

test('a symlink committed inside a tracked directory: pull and checkout in a fresh clone refuse, the outside file stays', () => {
  const origin = initRepo();
  const remote = tempDir('mlv-remote-');
  const outside = tempDir('mlv-outside-');
  const clone = tempDir('mlv-clone-');
  try {
    writeFileSync(join(outside, 'victim'), 'precious\n');
    write(origin, 'd/a.txt', 'a\n');
    write(origin, 'd/sub/victim', 'attacker data\n');
    mlvOk(origin, ['remote', 'add', 'origin', remote]);
    mlvOk(origin, ['add', 'd']);
    mlvOk(origin, ['push']);
    git(origin, ['add', '-A']);
    git(origin, ['commit', '-qm', 'data']);
    // Replace the real directory by a link and commit the link into git (d/ is ignored: -f).
    rmSync(join(origin, 'd/sub'), { recursive: true });
    symlinkSync(outside, join(origin, 'd/sub'));
    git(origin, ['add', '-A']);
    git(origin, ['add', '-f', 'd/sub']);
    git(origin, ['commit', '-qm', 'data with a link']);

    rmSync(clone, { recursive: true });
    git(origin, ['clone', '-q', origin, clone]);
    assert.ok(readdirSync(join(clone, 'd')).includes('sub'), 'git made the link');
    assertRefused(mlv(clone, ['pull']), /^mlv: d\.mlv: .*symbolic link \(d\/sub -> /, 'd/sub/victim');
    assertRefused(mlv(clone, ['checkout']), /d\.mlv: .*symbolic link/, 'd/sub/victim');
    assertRefused(mlv(clone, ['checkout', '--force']), /d\.mlv: .*symbolic link/, 'd/sub/victim');
    assert.equal(read(join(outside, 'victim')), 'precious\n');
    assert.ok(!existsSync(join(clone, 'd/a.txt')), 'refused before the first byte was written');

    // checkout <rev> refuses before git moves, when the rev's own tree holds the link.
    const before = git(origin, ['rev-parse', 'HEAD~1']).trim();
    git(origin, ['checkout', '-q', before]);
    rmSync(join(origin, 'd'), { recursive: true, force: true });
    mlvOk(origin, ['checkout']);
    assertRefused(mlv(origin, ['checkout', 'main']), /d\.mlv: .*committed at d\/sub/, 'd');
    assert.equal(git(origin, ['rev-parse', 'HEAD']).trim(), before, 'HEAD did not move');
    assert.equal(read(join(outside, 'victim')), 'precious\n');
  } finally {
    for (const d of [origin, remote, outside, clone]) removeDir(d);
  }
});

/** A repo whose committed mlv.lock records `path` as a cached output of stage 'train'. */
function craftedLock(path: string): { dir: string; hash: string } {
  const dir = initRepo();
  write(dir, 'payload', '#!/bin/sh\necho pwned > pwned\n');
  mlvOk(dir, ['add', 'payload']);
  const hash = /hash: (sha256:[0-9a-f]{64})/.exec(read(join(dir, 'payload.mlv')))![1];
  write(dir, 'mlv.lock', [
    'schema: 1',
    'stages:',
    '  train:',
    '    cmd: "true"',
    '    deps: []',
    '    env: {arch: x, mlv: x, node: x, os: x}',
    '    outs:',
    `      - {cache: true, hash: "${hash}", kind: file, path: ${JSON.stringify(path)}, size: 27}`,
    '',
  ].join('\n'));
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-qm', 'crafted lock']);
  return { dir, hash };
}

test("a crafted mlv.lock output '../ESCAPED' is refused by checkout (also with --force), status and get", () => {
  const { dir } = craftedLock('../ESCAPED');
  const escaped = join(dir, '..', 'ESCAPED');
  try {
    writeFileSync(escaped, 'keep\n');
    assertRefused(mlv(dir, ['checkout']), /^mlv: mlv\.lock: stage 'train' \(outs\): path/, '../ESCAPED');
    assertRefused(mlv(dir, ['checkout', '--force']), /mlv\.lock: stage 'train'/, '../ESCAPED');
    assertRefused(mlv(dir, ['status']), /mlv\.lock: stage 'train'/, '../ESCAPED');
    assertRefused(mlv(dir, ['get', 'HEAD', 'payload', '-o', join(dir, 'copy')]), /mlv\.lock: stage 'train'/, '../ESCAPED');
    assert.equal(read(escaped), 'keep\n', 'the file outside was not overwritten');
  } finally {
    rmSync(escaped, { force: true });
    removeDir(dir);
  }
});

test('a crafted mlv.lock output inside .git/hooks is refused, and no hook is written', () => {
  const { dir } = craftedLock('.git/hooks/post-checkout');
  try {
    assertRefused(mlv(dir, ['checkout', '--force']), /mlv\.lock: stage 'train' \(outs\): .*inside \.git\//, '.git/hooks/post-checkout');
    assert.ok(!existsSync(join(dir, '.git/hooks/post-checkout')));
  } finally {
    removeDir(dir);
  }
});

test('a crafted mlv.lock output with an absolute path is refused, not mapped inside', () => {
  const outside = tempDir('mlv-outside-');
  const target = join(outside, 'abs');
  const { dir } = craftedLock(target);
  try {
    assertRefused(mlv(dir, ['checkout', '--force']), /mlv\.lock: stage 'train' \(outs\): .*is absolute/, target);
    assert.ok(!existsSync(target));
    assert.ok(!existsSync(join(dir, ...target.split('/'))), 'not mapped inside the repository either');
  } finally {
    removeDir(dir);
    removeDir(outside);
  }
});

/** A repo with a link `lnk` to a directory outside and the given mlv.yaml; repro must refuse. */
function reproThroughLink(yamlText: string, extra: Record<string, string> = {}): { r: ReturnType<typeof mlv>; outside: string; dir: string } {
  const dir = initRepo();
  const outside = tempDir('mlv-outside-');
  writeFileSync(join(outside, 'p.yaml'), 'lr: 1\n');
  symlinkSync(outside, join(dir, 'lnk'));
  write(dir, 'in.txt', 'in\n');
  write(dir, 'params.yaml', 'lr: 1\n');
  for (const [k, v] of Object.entries(extra)) write(dir, k, v);
  write(dir, 'mlv.yaml', yamlText);
  return { r: mlv(dir, ['repro']), outside, dir };
}

test('mlv.yaml paths through a symlink (wdir, outs, params, deps) are refused before anything runs', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['stages:\n  s:\n    cmd: echo x > model\n    wdir: lnk\n    outs: [model]\n', 'lnk', /\(wdir\)/],
    ['stages:\n  s:\n    cmd: echo x > lnk/model\n    deps: [in.txt]\n    outs: [lnk/model]\n', 'lnk/model', /\(outs\)/],
    ['stages:\n  s:\n    cmd: echo x > out.txt\n    params: [lnk/p.yaml:lr]\n    outs: [out.txt]\n', 'lnk/p.yaml', /\(params\)/],
    ['stages:\n  s:\n    cmd: echo x > out.txt\n    deps: [lnk/p.yaml]\n    outs: [out.txt]\n', 'lnk/p.yaml', /\(deps\)/],
    ['stages:\n  s:\n    cmd: echo x > out.txt\n    metrics: [lnk/m.json]\n', 'lnk/m.json', /\(metrics\)/],
  ];
  for (const [text, path, key] of cases) {
    const { r, outside, dir } = reproThroughLink(text);
    try {
      assertRefused(r, /^mlv: mlv\.yaml:\d+: stage 's' /, path);
      assert.match(r.stderr, key);
      assert.match(r.stderr, /symbolic link \(lnk -> /);
      assert.deepEqual(readdirSync(outside).sort(), ['p.yaml'], `nothing written outside for ${path} (no .gitignore, no output)`);
      assert.ok(!existsSync(join(dir, 'out.txt')), 'the stage did not run');
    } finally {
      removeDir(dir);
      removeDir(outside);
    }
  }
});

test("mlv.yaml outputs into .git/ and '..' are refused with the line", () => {
  const dir = initRepo();
  try {
    write(dir, 'mlv.yaml', 'stages:\n  s:\n    cmd: "true"\n    outs: [.git/hooks/post-commit]\n');
    const r = mlv(dir, ['repro']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^mlv: mlv\.yaml:4: stage 's': '\.git\/hooks\/post-commit' is inside \.git\//);
    write(dir, 'mlv.yaml', 'stages:\n  s:\n    cmd: "true"\n    outs: [a/../../x]\n');
    assert.match(mlv(dir, ['repro']).stderr, /mlv\.yaml:4: .*'a\/\.\.\/\.\.\/x' is outside the repository/);
    assert.ok(!existsSync(join(dir, '.git/hooks/post-commit')));
  } finally {
    removeDir(dir);
  }
});

test('a params file or mlv.lock that is itself a link is refused: exp run -S would write through it', () => {
  const dir = initRepo();
  const outside = tempDir('mlv-outside-');
  try {
    writeFileSync(join(outside, 'params.yaml'), 'lr: 1\n');
    symlinkSync(join(outside, 'params.yaml'), join(dir, 'params.yaml'));
    write(dir, 'mlv.yaml', 'stages:\n  s:\n    cmd: echo x > out.txt\n    params: [lr]\n    outs: [out.txt]\n');
    assertRefused(mlv(dir, ['repro']), /mlv\.yaml:\d+: stage 's' \(params\)/, 'params.yaml');
    assert.equal(read(join(outside, 'params.yaml')), 'lr: 1\n');
  } finally {
    removeDir(dir);
    removeDir(outside);
  }
});

test('exp apply refuses an experiment file that a link in the work tree would carry outside', () => {
  const dir = initRepo();
  const outside = tempDir('mlv-outside-');
  try {
    write(dir, 'params.yaml', 'lr: 1\n');
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-qm', 'base']);
    const base = git(dir, ['rev-parse', 'HEAD']).trim();
    // An experiment commit (as `exp pull` could fetch) that adds lnk/x; here lnk is a link out.
    write(dir, 'lnk/x', 'from the experiment\n');
    git(dir, ['add', 'lnk/x']);
    const tree = git(dir, ['write-tree']).trim();
    const exp = git(dir, ['commit-tree', tree, '-p', base, '-m', 'exp\n\nMlv-Exp-Name: evil\nMlv-Exp-Status: ok\nMlv-Exp-Params: {}']).trim();
    git(dir, ['update-ref', `refs/mlv/exps/${base}/evil`, exp]);
    git(dir, ['reset', '-q', '--hard', base]);
    rmSync(join(dir, 'lnk'), { recursive: true, force: true });
    symlinkSync(outside, join(dir, 'lnk'));
    assertRefused(mlv(dir, ['exp', 'apply', 'evil', '--force']), /^mlv: experiment evil: .*symbolic link \(lnk -> /, 'lnk/x');
    assert.deepEqual(readdirSync(outside), []);
  } finally {
    removeDir(dir);
    removeDir(outside);
  }
});

/** Put a hand-made manifest into the cache and point `d.mlv` at it. */
function craftedManifest(dir: string, entries: Array<{ path: string; hash: string; size: number }>): void {
  const body = entries.map((e) => `{"path":${JSON.stringify(e.path)},"hash":"${e.hash}","size":${e.size},"exec":false}`).join(',');
  const text = `{"format":"mlv-manifest","version":1,"entries":[${body}]}`;
  const hex = createHash('sha256').update(text).digest('hex');
  write(dir, `.mlv/cache/objects/sha256/${hex.slice(0, 2)}/${hex.slice(2)}`, text);
  const size = entries.reduce((a, e) => a + e.size, 0);
  write(dir, 'd.mlv', `format: 1\nkind: dir\nhash: sha256:${hex}\nsize: ${size}\nfiles: ${entries.length}\n`);
}

test('a manifest listing a path twice, or a file and a path under it, is refused before any write; fsck reports it', () => {
  const dir = initRepo();
  try {
    write(dir, 'f', 'one\n');
    mlvOk(dir, ['add', 'f']);
    const hash = /hash: (sha256:[0-9a-f]{64})/.exec(read(join(dir, 'f.mlv')))![1];
    for (const [paths, why] of [[['a', 'b', 'b'], /entry 2 \(b\) is listed twice/], [['a', 'a/b'], /entry 1 \(a\/b\) lies under a/]] as const) {
      craftedManifest(dir, paths.map((path) => ({ path, hash, size: 4 })));
      const r = mlv(dir, ['checkout', '--force']);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, why);
      assert.equal(r.stderr.trim().split('\n').length, 1);
      assert.ok(!existsSync(join(dir, 'd')), 'nothing written');
      const f = mlv(dir, ['fsck', '--json']);
      assert.equal(f.code, 1);
      assert.ok(JSON.parse(f.stdout).problems.some((p: { problem: string; detail: string }) => p.problem === 'bad-manifest' && why.test(p.detail)));
    }
  } finally {
    removeDir(dir);
  }
});
