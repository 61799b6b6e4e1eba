/**
 * Deltas against the baseline are coloured by the metric's direction. Colour must
 * be forced before ink (chalk) loads, hence the dynamic imports.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';

process.env.FORCE_COLOR = '1';
const { KEY, renderUi } = await import('./helpers.js');
const { memorySource, smallHistory } = await import('./fixtures.js');

const GREEN = '\u001B[32m';
const RED = '\u001B[31m';
// The foreground colour in force where `text` starts: the last SGR sequence before it
// that sets one, unless a reset (0 or 39) came after it.
const painted = (frame: string, text: string): string | undefined => {
  const i = frame.indexOf(text);
  if (i < 0) return undefined;
  let fg = '';
  for (const m of frame.slice(0, i).matchAll(/\u001B\[([\d;]*)m/g)) {
    for (const code of m[1].split(';')) {
      if (code === '0' || code === '39' || code === '') fg = '';
      else if (/^3[0-7]$|^9[0-7]$/.test(code)) fg = `\u001B[${code}m`;
    }
  }
  return fg;
};

test('better deltas are green and worse red, by direction: accuracy up is better, log_loss up is worse', async () => {
  const ui = await renderUi(memorySource(smallHistory()), { columns: 200, rows: 30 });
  await ui.press(KEY.down, KEY.down, KEY.down, 'b'); // baseline b0e3da3: accuracy 0.894, log_loss 0.28
  const f = ui.frame();
  assert.ok(f.includes('\u001B['), 'colour is on');
  // b6e6223: accuracy 0.912 (+0.018, better), log_loss 0.251 (-0.029, better)
  assert.equal(painted(f, '+0.018'), GREEN);
  assert.equal(painted(f, '-0.029'), GREEN, 'a lower loss is better');
  // exp-linear: accuracy 0.84 (-0.054, worse), log_loss 0.39 (+0.11, worse)
  assert.equal(painted(f, '-0.054'), RED);
  assert.equal(painted(f, '+0.11'), RED, 'a higher loss is worse');
  ui.quit();
});

test('the diff view colours metric deltas the same way', async () => {
  const ui = await renderUi(memorySource(smallHistory()), { columns: 100, rows: 40 });
  await ui.press(KEY.space, KEY.down, KEY.down, KEY.space, KEY.enter); // b6e6223 → exp-depth-4
  const f = await ui.waitFor((fr) => fr.includes('Artifacts changed'), 'the diff');
  assert.equal(painted(f, '-0.041'), RED, 'accuracy 0.912 → 0.871');
  assert.equal(painted(f, '+0.071'), RED, 'log_loss 0.251 → 0.322');
  ui.quit();
});
