import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import { namePath } from '../../../src/store/atomic.js';
import { environmentError, EnvironmentError, InputError } from '../../../src/errors/index.js';

test('a real ENOSPC (a write to /dev/full) becomes exit 2 naming the path; other errors stay as they are', (t) => {
  if (!existsSync('/dev/full')) return t.skip('no /dev/full here');
  const write = (): unknown => {
    const fd = openSync('/dev/full', 'w');
    try { writeSync(fd, Buffer.from('x')); } catch (e) { return e; } finally { closeSync(fd); }
    return undefined;
  };
  const bare = write();
  assert.equal((bare as NodeJS.ErrnoException).code, 'ENOSPC');
  assert.equal(environmentError(bare)?.message, '(unknown path): no space left on device; free some space and run the command again');
  const named = environmentError(namePath(write(), '/data/model.bin'));
  assert.ok(named instanceof EnvironmentError);
  assert.equal(named.exitCode, 2);
  assert.equal(named.code, 'ENOSPC');
  assert.equal(named.message, '/data/model.bin: no space left on device; free some space and run the command again');
  assert.equal(environmentError(new Error('boom')), undefined);
  assert.equal(environmentError(new InputError('x', {}, 'ENOSPC')), undefined, "mlv's own errors are left alone");
});
