import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { env, makeRepo, MLV_BIN, mlv, mlvOk, removeDir } from '../helpers/repo.js';

const hasScript = spawnSync('script', ['--version']).status === 0;

test('a progress bar on stderr on a TTY only', { skip: hasScript ? false : 'script(1) is not installed' }, () => {
  const dir = makeRepo();
  mlvOk(dir, ['init']);
  writeFileSync(join(dir, 'big.bin'), Buffer.alloc(24 * 1024 * 1024, 7));
  // script(1) gives the command a pseudo-terminal; the bar may appear at once.
  const e = env({ MLV_PROGRESS_AFTER_MS: '0' });
  delete e.MLV_NO_PROGRESS;
  const tty = spawnSync('script', ['-qec', `${process.execPath} ${MLV_BIN} add big.bin`, '/dev/null'], { cwd: dir, env: e, encoding: 'utf8' });
  assert.equal(tty.status, 0, tty.stdout);
  assert.match(tty.stdout, /hashing [█░]+ [\d.]+ MiB \/ 24\.0 MiB/);
  writeFileSync(join(dir, 'big.bin'), Buffer.alloc(24 * 1024 * 1024, 8));
  const piped = mlv(dir, ['add', 'big.bin'], { env: { MLV_PROGRESS_AFTER_MS: '0', MLV_NO_PROGRESS: '' } });
  assert.equal(piped.code, 0);
  assert.doesNotMatch(piped.stderr, /hashing|\r/, 'no bar without a TTY');
  removeDir(dir);
});
