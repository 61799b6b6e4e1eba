/**
 * The library entry does not load the queue's engine: `import { add } from 'mlv'` and a
 * verb that is not the queue's leave bullmq and ioredis unloaded; the first queue verb
 * loads them and works. Observed in a child process with a module-resolution hook
 * recording every import of either package, against the built dist/, a real repository
 * and a real redis-server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { env, makeRepo, mlvOk, removeDir, ROOT, tempDir } from '../helpers/repo.js';
import { startRedis } from '../helpers/redis.js';
import { queueBlock } from '../helpers/queue.js';

const HOOK = join(ROOT, 'tests', 'ui', 'trace-imports.mjs');

// Packages are seen two ways: bare ESM imports through the hook, and CommonJS modules
// (BullMQ and ioredis are CommonJS, and require each other) in the require cache.
const SCRIPT = `
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const loaded = () => {
  const names = new Set(readFileSync(process.env.MLV_TRACE_IMPORTS, 'utf8').split('\\n').filter(Boolean));
  for (const f of Object.keys(require.cache)) { const m = /node_modules\\/(bullmq|ioredis)\\//.exec(f); if (m) names.add(m[1]); }
  return [...names].sort();
};
const mlv = await import(process.env.MLV_ENTRY);
const cwd = process.env.MLV_REPO;
await mlv.add({ cwd, paths: ['data.csv'] });
await mlv.status({ cwd });
const before = loaded();
const s = await mlv.queueStatus({ cwd, env: process.env });
console.log(JSON.stringify({ before, after: loaded(), counts: s.counts }));
`;

test("import { add } from 'mlv' loads neither bullmq nor ioredis; mlv.queueStatus loads them when called", async () => {
  const redis = await startRedis();
  const repo = makeRepo();
  const scratch = tempDir('mlv-trace-');
  try {
    mlvOk(repo, ['init']);
    appendFileSync(join(repo, '.mlv', 'config'), queueBlock(redis.url, 'lazy'));
    writeFileSync(join(repo, 'data.csv'), 'a,b\n1,2\n');
    const trace = join(scratch, 'trace.txt');
    writeFileSync(trace, '');
    const r = spawnSync(process.execPath, ['--import', HOOK, '--input-type=module', '-e', SCRIPT], {
      cwd: repo,
      env: env({ MLV_TRACE_IMPORTS: trace, MLV_TRACE_PATTERN: '^(bullmq|ioredis)(/|$)', MLV_ENTRY: join(ROOT, 'dist', 'src', 'index.js'), MLV_REPO: repo }),
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.counts, { waiting: 0, active: 0, completed: 0, failed: 0, delayed: 0, prioritized: 0 });
    assert.deepEqual(out.before, [], 'loaded before any queue verb ran');
    // Both ways of seeing them do see them once a queue verb runs (so [] above means something).
    assert.deepEqual(out.after, ['bullmq', 'ioredis']);
    assert.match(readFileSync(trace, 'utf8'), /^bullmq$/m);
  } finally {
    await redis.close();
    removeDir(repo);
    removeDir(scratch);
  }
});
