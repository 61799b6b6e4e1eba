/**
 * Remote URLs (issue 11, item 4): an S3 prefix cannot climb into another bucket, and
 * credentials in an endpoint are refused, never written to the committed config nor
 * echoed, whether given to `remote add` or found in a cloned .mlv/config.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, makeRepo, mlv, mlvOk, removeDir } from '../helpers/repo.js';

test('remote add refuses s3 prefixes with .. and endpoints with credentials; so does push with such a config', () => {
  const dir = makeRepo();
  try {
    mlvOk(dir, ['init']);
    const config = readFileSync(join(dir, '.mlv/config'), 'utf8');
    for (const url of ['s3://bkt/../other/x', 's3://bkt/a/./b', 's3://bkt/a//b']) {
      const r = mlv(dir, ['remote', 'add', 'r', url]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /prefix may not hold empty, '\.' or '\.\.' segments/);
    }
    const r = mlv(dir, ['remote', 'add', 'r', 's3://bkt/p', '--endpoint-url', 'http://user:secret@127.0.0.1:9000']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /holds credentials; remove them and set AWS_ACCESS_KEY_ID/);
    assert.ok(!r.stderr.includes('secret') && !r.stdout.includes('secret'), 'not echoed');
    assert.equal(readFileSync(join(dir, '.mlv/config'), 'utf8'), config, 'nothing written');
    mlvOk(dir, ['remote', 'add', 'ok', 's3://bkt/team/p', '--endpoint-url', 'http://127.0.0.1:9', '--default']);

    // A cloned config that holds them anyway is refused when the remote is opened.
    writeFileSync(join(dir, 'f'), 'x\n');
    mlvOk(dir, ['add', 'f']);
    const good = readFileSync(join(dir, '.mlv/config'), 'utf8');
    writeFileSync(join(dir, '.mlv/config'), good.replace('http://127.0.0.1:9', 'http://user:secret@127.0.0.1:9'));
    const p = mlv(dir, ['push']);
    assert.equal(p.code, 2, p.stderr);
    assert.match(p.stderr, /remote 'ok' \(\.mlv\/config\): endpoint http:\/\/\*\*\*@127\.0\.0\.1:9 holds credentials/);
    assert.ok(!p.stderr.includes('secret'));
    writeFileSync(join(dir, '.mlv/config'), good.replace('s3://bkt/team/p', 's3://bkt/../other/p'));
    const q = mlv(dir, ['push']);
    assert.equal(q.code, 2, q.stderr);
    assert.match(q.stderr, /s3:\/\/bkt\/\.\.\/other\/p: the prefix may not hold/);
  } finally {
    removeDir(dir);
  }
});

test('exp push and exp pull refuse a git remote that git would read as an option', () => {
  const dir = makeRepo();
  try {
    mlvOk(dir, ['init']);
    writeFileSync(join(dir, 'f'), 'x\n');
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-qm', 'base']);
    const base = git(dir, ['rev-parse', 'HEAD']).trim();
    git(dir, ['update-ref', `refs/mlv/exps/${base}/e1`, base]);
    const marker = join(dir, 'PWNED');
    for (const verb of ['push', 'pull']) {
      const r = mlv(dir, ['exp', verb, '--', `--${verb === 'push' ? 'receive' : 'upload'}-pack=touch ${marker}`]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /not a git remote \(a name or URL cannot start with '-'\)/);
      assert.ok(!existsSync(marker), `exp ${verb} ran no command`);
    }
  } finally {
    removeDir(dir);
  }
});
