import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG } from '../../../src/repo/config.js';
import { queueSettings, redactUrl, scrub } from '../../../src/queue/settings.js';

const cfg = (queue: Record<string, unknown> | undefined) => ({ ...DEFAULT_CONFIG, ...(queue ? { queue: queue as never } : {}) });

test('queue settings: host, port, db and defaults from the URL; no password unless given', () => {
  const s = queueSettings(cfg({ url: 'redis://redis.lan:6380/3', name: 'bikes' }), {});
  assert.deepEqual(s.connection, { host: 'redis.lan', port: 6380, db: 3 });
  assert.equal(s.where, 'redis://redis.lan:6380/3');
  assert.equal(s.gitRemote, 'origin');
  assert.equal(s.attempts, 2);
  assert.equal(s.stalledInterval, 30000);
  assert.deepEqual(queueSettings(cfg({ url: 'rediss://h', name: 'x' }), {}).connection, { host: 'h', port: 6379, db: 0, tls: {} });
});

test('queue settings: the environment supplies the password and may replace the URL; where masks it', () => {
  const s = queueSettings(cfg({ url: 'redis://h:1/0', name: 'x' }), { MLV_QUEUE_PASSWORD: 'pw1', MLV_QUEUE_USERNAME: 'ann' });
  assert.equal(s.connection.password, 'pw1');
  assert.equal(s.connection.username, 'ann');
  assert.equal(s.where, 'redis://ann:***@h:1/0');
  const t = queueSettings(cfg({ name: 'x' }), { MLV_QUEUE_URL: 'redis://:p%40ss@other:2/1' });
  assert.equal(t.connection.password, 'p@ss');
  assert.equal(t.where, 'redis://:***@other:2/1');
  assert.equal(scrub('AUTH p@ss failed', t), 'AUTH *** failed');
});

test('queue settings: one clear error when the queue is not configured or its URL is wrong', () => {
  assert.throws(() => queueSettings(cfg(undefined), {}), /no queue configured: add `queue: \{url: redis:\/\/host:6379\/0, name: <project>\}` to \.mlv\/config/);
  assert.throws(() => queueSettings(cfg({ url: 'redis://h' }), {}), /queue\.name is missing/);
  assert.throws(() => queueSettings(cfg({ url: 'redis://:secret@h/x', name: 'n' }), {}), (e: Error) => /database 'x' is not a number/.test(e.message) && !e.message.includes('secret'));
});

test('redactUrl masks a password and keeps the user name', () => {
  assert.equal(redactUrl('redis://u:pw@h:1/0'), 'redis://u:***@h:1/0');
  assert.equal(redactUrl('rediss://:pw@h'), 'rediss://:***@h');
  assert.equal(redactUrl('redis://h:1/0'), 'redis://h:1/0');
});
