import { test } from 'node:test';
import assert from 'node:assert/strict';
import { topLevelSections } from '../../../src/pipeline/yamlSections.js';
import { parseDataFile, parseParamsFile } from '../../../src/pipeline/params.js';
import { InputError } from '../../../src/errors/index.js';

const cut = (text: string, ...keys: string[]) => topLevelSections(text, new Set(keys));

test('the entries named are kept, the rest become blank lines so line numbers stay', () => {
  const text = '# top\nskip:\n  x: 1\n\nkeep:\n  a: 1\n  # note\n  b: |\n    text\n    more\nother: 3\nlast:\n  z: [1, 2]';
  const r = cut(text, 'keep', 'last');
  assert.ok('text' in r);
  assert.deepEqual(parseDataFile(r.text, 'p.yaml'), parseDataFile(text.replace(/skip:\n  x: 1\n/, '').replace('other: 3\n', ''), 'p.yaml'));
  assert.equal(r.text.split('\n').indexOf('keep:'), text.split('\n').indexOf('keep:'));
  assert.equal(r.text.split('\n').indexOf('last:'), text.split('\n').indexOf('last:'));
  assert.deepEqual(cut('a: 1\r\nb:\r\n  c: 2\r\n', 'b'), { text: '\nb:\r\n  c: 2\r\n' });
});

test('what cannot be cut says why', () => {
  assert.match((cut('---\na: 1\n', 'a') as { reason: string }).reason, /document markers/);
  assert.match((cut('"a": 1\n', 'a') as { reason: string }).reason, /line 1 is not a plain "key:"/);
  assert.match((cut('a: 1\n{b: 2}\n', 'a') as { reason: string }).reason, /line 2/);
  assert.match((cut('a: 1\nb: 2\na: 3\n', 'b') as { reason: string }).reason, /'a' appears twice/);
  assert.match((cut('base: &b {x: 1}\nuse:\n  <<: *b\n', 'use') as { reason: string }).reason, /anchors or aliases/);
  assert.match((cut('use: *b\n', 'use') as { reason: string }).reason, /anchors or aliases/);
  assert.ok('text' in cut('use: "a*b"\nx: 1\n', 'use'), 'a star inside a word is no alias');
});

test('a big file is parsed in the entries used; a syntax error there gets the message (and line) of a whole parse', () => {
  const filler = Array.from({ length: 2_400 }, (_, i) => `f${i}:\n  v: "${'x'.repeat(100)}"\n`).join('');
  assert.ok(filler.length > 256 * 1024);
  const good = parseParamsFile(undefined, 'params.yaml', `${filler}train:\n  lr: 0.1\n`, ['train.lr']) as Record<string, unknown>;
  assert.deepEqual(good, { train: { lr: 0.1 } });
  const bad = `${filler}train:\n  lr: [0.1\nnext: 1\n`;
  const whole = (() => { try { parseDataFile(bad, 'params.yaml'); } catch (e) { return (e as Error).message; } })();
  assert.match(whole!, /^params\.yaml:\d+: not valid YAML/);
  assert.throws(() => parseParamsFile(undefined, 'params.yaml', bad, ['train.lr']), (e: unknown) => e instanceof InputError && e.message === whole);
  const small = 'a: 1\na: 2\n';
  assert.throws(() => parseParamsFile(undefined, 'params.yaml', small, ['a']), /params\.yaml:2: not valid YAML/, 'a small file is parsed whole, as before');
});
