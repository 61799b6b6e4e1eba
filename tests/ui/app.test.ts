/**
 * The ink app driven by keys, against the in-memory fixture source: each view's
 * frame is asserted on what the data says.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup } from 'ink-testing-library';
import { KEY, linesOf, renderUi, rowNames, rowOf } from './helpers.js';
import { generatedHistory, memorySource, smallHistory } from './fixtures.js';

after(() => cleanup());

const HISTORY = ['b6e6223', 'exp-trees-200', 'exp-depth-4', 'b0e3da3', 'exp-linear', '42eb7bc'];

test('main view: commits newest first with their experiments beneath, params and metrics as columns', async () => {
  const ui = await renderUi(memorySource(smallHistory()));
  const f = ui.frame();
  assert.deepEqual(rowNames(f), HISTORY);
  assert.match(f, /mlv ui {2}6 versions \(3 commits, 3 exps\)/);
  const header = linesOf(f).find((l) => /^\s+name\s/.test(l))!;
  assert.match(header, /name\s+date\s+message\s+data\.split\s+train\.max_depth/);
  assert.match(rowOf(f, 'exp-trees-200'), /^ {2}├ exp-trees-200\s+05-03 11:00\s+exp: train\.n_estimators/);
  assert.match(rowOf(f, 'exp-depth-4'), /└ exp-depth-4/);
  assert.match(rowOf(f, 'b6e6223'), /05-03 10:00 {2}tune forest depth/);
  assert.match(f, /1\/6\s*$/m, 'cursor position in the status bar');
  assert.match(linesOf(f).at(-1)!, /\? help {2}q quit/);
  ui.quit();
});

test('cursor keys move through rows: ↓ ↑ End Home PgDn PgUp', async () => {
  const ui = await renderUi(memorySource(smallHistory()));
  await ui.press(KEY.down, KEY.down);
  assert.match(ui.frame(), /3\/6\s*$/m);
  await ui.press(KEY.up);
  assert.match(ui.frame(), /2\/6\s*$/m);
  await ui.press(KEY.end);
  assert.match(ui.frame(), /6\/6\s*$/m);
  await ui.press(KEY.down);
  assert.match(ui.frame(), /6\/6\s*$/m, 'stops at the last row');
  await ui.press(KEY.home);
  assert.match(ui.frame(), /1\/6\s*$/m);
  await ui.press(KEY.pageDown);
  assert.match(ui.frame(), /6\/6\s*$/m, 'a page is longer than 6 rows');
  await ui.press(KEY.pageUp);
  assert.match(ui.frame(), /1\/6\s*$/m);
  ui.quit();
});

test('← → move the column cursor and scroll the columns; the name column stays', async () => {
  const ui = await renderUi(memorySource(smallHistory()), { columns: 80, rows: 24 });
  const before = ui.frame();
  assert.doesNotMatch(before, /log_loss/, 'metrics are off screen at 80 columns');
  assert.match(before, /▶/, 'more columns to the right');
  for (let i = 0; i < 10; i++) await ui.press(KEY.right);
  const after = ui.frame();
  assert.match(after, /log_loss/);
  assert.match(after, /◀/, 'columns hidden to the left');
  assert.doesNotMatch(after, /message/, 'message column scrolled away');
  assert.match(rowOf(after, 'exp-trees-200'), /├ exp-trees-200 .*0\.231/, 'name column frozen next to log_loss');
  for (let i = 0; i < 10; i++) await ui.press(KEY.left);
  assert.match(ui.frame(), /message/);
  ui.quit();
});

test('s sorts by the column under the cursor, again reverses; S restores history order', async () => {
  const ui = await renderUi(memorySource(smallHistory()), { columns: 160, rows: 30 });
  // name, date, message, 5 params, then accuracy
  for (let i = 0; i < 8; i++) await ui.press(KEY.right);
  await ui.press('s');
  let f = ui.frame();
  assert.match(f, /sort: accuracy ▼/);
  assert.deepEqual(rowNames(f), ['exp-trees-200', 'b6e6223', 'b0e3da3', 'exp-depth-4', 'exp-linear', '42eb7bc']);
  assert.match(rowOf(f, 'exp-trees-200'), /◦ exp-trees-200/, 'sorted rows are flat');
  await ui.press('s');
  f = ui.frame();
  assert.match(f, /sort: accuracy ▲/);
  assert.deepEqual(rowNames(f), ['42eb7bc', 'exp-linear', 'exp-depth-4', 'b0e3da3', 'b6e6223', 'exp-trees-200']);
  await ui.press(KEY.right, KEY.right, 's');
  assert.match(ui.frame(), /sort: log_loss ▲/, 'a loss sorts lowest (best) first');
  assert.deepEqual(rowNames(ui.frame()).slice(0, 2), ['exp-trees-200', 'b6e6223']);
  await ui.press('S');
  assert.deepEqual(rowNames(ui.frame()), HISTORY);
  ui.quit();
});

test('/ filters by expression or text; a bad expression is reported and changes nothing', async () => {
  const ui = await renderUi(memorySource(smallHistory()));
  await ui.press('/', 'accuracy>0.9');
  let f = ui.frame();
  assert.match(linesOf(f).at(-1)!, /^\/accuracy>0\.9/, 'prompt shows the text');
  assert.deepEqual(rowNames(f), ['b6e6223', 'exp-trees-200'], 'applied while typing');
  await ui.press(KEY.enter);
  f = ui.frame();
  assert.match(f, /2 of 6 versions \(1 commit, 1 exp\) {2}filter: accuracy>0\.9/);

  await ui.press('/', KEY.backspace, KEY.backspace, KEY.backspace, KEY.backspace, KEY.backspace, KEY.backspace, KEY.backspace, KEY.backspace,
    KEY.backspace, KEY.backspace, KEY.backspace, KEY.backspace, 'train.n_estimators=100', KEY.enter);
  assert.deepEqual(rowNames(ui.frame()), ['b6e6223', 'exp-depth-4']);

  await ui.press('/', ' nope>1');
  f = ui.frame();
  assert.match(linesOf(f).at(-1)!, /no param or metric named "nope"/);
  assert.deepEqual(rowNames(f), ['b6e6223', 'exp-depth-4'], 'the last good filter stays');
  await ui.press(KEY.enter);
  assert.match(linesOf(ui.frame()).at(-1)!, /^\/train/, 'Enter does not accept a bad filter');
  await ui.press(KEY.esc);
  assert.match(ui.frame(), /filter: train\.n_estimators=100/, 'Esc cancels the edit');

  await ui.press(KEY.esc);
  assert.deepEqual(rowNames(ui.frame()), HISTORY, 'Esc in the table clears the filter');
  await ui.press('/', 'linear', KEY.enter);
  assert.deepEqual(rowNames(ui.frame()), ['exp-linear']);
  await ui.press('/', KEY.backspace, KEY.backspace, KEY.backspace, KEY.backspace, KEY.backspace, KEY.backspace, 'zzz', KEY.enter);
  assert.match(ui.frame(), /No row matches the filter/);
  ui.quit();
});

test('b sets the baseline: every metric shows its delta', async () => {
  const ui = await renderUi(memorySource(smallHistory()), { columns: 200, rows: 30 });
  await ui.press(KEY.down, KEY.down, KEY.down, 'b'); // b0e3da3: accuracy 0.894, log_loss 0.28
  const f = ui.frame();
  assert.match(f, /baseline: b0e3da3/);
  assert.match(rowOf(f, 'b0e3da3'), /^ ◆b0e3da3/);
  assert.match(rowOf(f, 'b6e6223'), /0\.912 \+0\.018 .*0\.251 -0\.029/);
  assert.match(rowOf(f, 'exp-linear'), /0\.84 -0\.054 .*0\.39 \+0\.11/);
  assert.doesNotMatch(rowOf(f, 'b0e3da3'), /[+-]0\.0/, 'no delta against itself');
  await ui.press('b');
  assert.doesNotMatch(ui.frame(), /\+0\.018/, 'b again clears it');
  ui.quit();
});

test('d hides params and metrics that are equal everywhere', async () => {
  const ui = await renderUi(memorySource(smallHistory()), { columns: 200, rows: 30 });
  assert.match(ui.frame(), /data\.split/);
  assert.match(ui.frame(), /train\.seed/);
  await ui.press('d');
  let f = ui.frame();
  assert.doesNotMatch(f, /data\.split/);
  assert.doesNotMatch(f, /train\.seed/);
  assert.match(f, /train\.max_depth/);
  assert.match(f, /changed only \(2 hidden\)/);
  await ui.press('/', 'exp-trees', KEY.enter);
  f = ui.frame();
  assert.match(f, /train\.n_estimators/, 'a single row keeps every column');
  await ui.press(KEY.esc, 'd');
  assert.match(ui.frame(), /data\.split/);
  ui.quit();
});

test('space marks two rows; Enter shows their diff with params, metric deltas and artifact changes', async () => {
  const ui = await renderUi(memorySource(smallHistory()), { columns: 100, rows: 40 });
  await ui.press(KEY.down, KEY.down, KEY.down, KEY.space, KEY.up, KEY.up, KEY.up, KEY.space); // b0e3da3, then b6e6223
  assert.match(rowOf(ui.frame(), 'b0e3da3'), /^1 b0e3da3/);
  assert.match(rowOf(ui.frame(), 'b6e6223'), /^2 b6e6223/);
  await ui.press(KEY.enter);
  const f = await ui.waitFor((fr) => fr.includes('Artifacts changed'), 'the diff');
  assert.match(f, /diff {2}b0e3da3 → b6e6223/);
  assert.match(f, /Params changed \(1\)\n\s+train\.n_estimators\s+50 → 100/);
  assert.match(f, /accuracy\s+0\.894\s+0\.912\s+\+0\.018\s+better/);
  assert.match(f, /log_loss\s+0\.28\s+0\.251\s+-0\.029\s+better/);
  assert.match(f, /M data\/features\.csv\s+23\.4 KiB → 29\.3 KiB \(\+5\.9 KiB\)/);
  assert.match(f, /M data\/raw\/\s+12\.0 KiB → 14\.0 KiB/);
  assert.match(f, /M data\/raw\/\s+12\.0 KiB → 14\.0 KiB \(\+2\.0 KiB\)\n\s+A c\.csv\s+2\.0 KiB/, 'the file changed inside the directory, beneath it');
  assert.match(f, /M model\.json\s+781 KiB → 1\.4 MiB/);
  await ui.press(KEY.esc);
  assert.deepEqual(rowNames(ui.frame()), HISTORY);
  ui.quit();
});

test('c diffs the marked row against the cursor, or the baseline against the cursor', async () => {
  const ui = await renderUi(memorySource(smallHistory()), { columns: 100, rows: 40 });
  await ui.press('c');
  assert.match(linesOf(ui.frame()).at(-1)!, /to diff: mark two rows/);
  await ui.press(KEY.end, 'b', KEY.home, 'c');
  let f = await ui.waitFor((fr) => fr.includes('Artifacts changed'), 'the diff');
  assert.match(f, /diff {2}42eb7bc → b6e6223/);
  assert.match(f, /A data\/features\.csv\s+29\.3 KiB/, 'added artifact with its size');
  await ui.press(KEY.esc, KEY.down, KEY.space, KEY.down, 'c');
  f = await ui.waitFor((fr) => fr.includes('Artifacts changed'), 'the diff');
  assert.match(f, /diff {2}exp-trees-200 → exp-depth-4/);
  assert.match(f, /train\.max_depth\s+8 → 4\n\s+train\.n_estimators\s+200 → 100/);
  ui.quit();
});

test('Enter opens the detail: params, metrics, artifacts, confusion matrix, importances, cost, repro command', async () => {
  const source = memorySource(smallHistory());
  const ui = await renderUi(source, { columns: 100, rows: 24 });
  await ui.press(KEY.enter);
  let f = await ui.waitFor((fr) => fr.includes('Params (5)'), 'the detail');
  assert.equal(source.calls.detail, 1);
  assert.match(f, /detail {2}b6e6223 \(commit\)/);
  assert.match(f, /rebuild: mlv repro --rev b6e6223/);
  assert.match(f, /train\.n_estimators\s+100/);
  assert.match(f, /accuracy\s+0\.912 {2}↑/);
  assert.match(f, /log_loss\s+0\.251 {2}↓/);
  await ui.press(KEY.pageDown);
  f = ui.frame();
  assert.match(f, /data\/raw\/\s+14\.0 KiB {2}3 files/);
  assert.match(f, /model\.json\s+1\.4 MiB/);
  await ui.press(KEY.end);
  f = ui.frame();
  assert.match(f, /Confusion matrix/);
  assert.match(f, /\s+│\s+cat\s+dog\n/);
  assert.match(f, /cat\s+│\s+48\s+2\n\s+dog\s+│\s+7\s+43/);
  const bars = Object.fromEntries(linesOf(f).filter((l) => /█/.test(l)).map((l) => [l.trim().split(/\s+/)[0], (l.match(/[█▏▎▍▌▋▊▉]/g) ?? []).length]));
  assert.ok(bars.petal_width > bars.petal_length && bars.petal_length > bars.sepal_length && bars.sepal_length > bars.sepal_width, JSON.stringify(bars));
  assert.match(f, /time\s+12\.5 s/);
  assert.match(f, /features\s+4/);
  assert.match(f, /\d+-\d+\/\d+\s*$/m, 'scroll position');
  await ui.press(KEY.esc);
  assert.deepEqual(rowNames(ui.frame()), HISTORY);
  ui.quit();
});

test('t charts the metric under the column cursor over the branch commits; ← → change metric', async () => {
  const ui = await renderUi(memorySource(smallHistory()), { columns: 100, rows: 30 });
  for (let i = 0; i < 8; i++) await ui.press(KEY.right);
  await ui.press('t');
  let f = ui.frame();
  assert.match(f, /accuracy {2}\(higher is better\) {2}3 of 3 commits have it/);
  assert.match(f, /0\.912 ┤/);
  assert.match(f, /0\.81 ┤●/, 'oldest commit at the bottom left');
  assert.match(f, /42eb7bc\s+b6e6223/, 'oldest to newest along x');
  assert.match(f, /sparkline {2}▁▇█/);
  assert.match(f, /latest\s+0\.912 \(b6e6223\) {2}\+0\.102 since 42eb7bc/);
  assert.equal((f.match(/●/g) ?? []).length, 3, 'one point per commit, experiments excluded');
  await ui.press(KEY.right, KEY.right);
  f = ui.frame();
  assert.match(f, /log_loss {2}\(lower is better\)/);
  assert.match(f, /best\s+0\.251 \(b6e6223\)/);
  assert.match(f, /sparkline {2}█▂▁/);
  await ui.press(KEY.esc);
  assert.deepEqual(rowNames(ui.frame()), HISTORY);
  ui.quit();
});

test('? shows the help; Esc returns; q quits', async () => {
  const ui = await renderUi(memorySource(smallHistory()));
  await ui.press('?');
  assert.match(ui.frame(), /Keys/);
  assert.match(ui.frame(), /filter: free text or key<op>value/);
  for (const l of linesOf(ui.frame())) assert.ok(l.length <= 80, 'help fits 80 columns: ' + l);
  await ui.press(KEY.esc);
  assert.deepEqual(rowNames(ui.frame()), HISTORY);
  await ui.press('q');
  assert.equal(ui.quitCalls(), 1);
  ui.quit();
});

test('80×24: nothing wider or taller than the terminal, in every view; resize re-lays out', async () => {
  const ui = await renderUi(memorySource(generatedHistory(20, 300)), { columns: 80, rows: 24 });
  const fits = (cols: number, rows: number, where: string) => {
    const lines = linesOf(ui.frame());
    assert.ok(lines.length <= rows, `${where}: ${lines.length} lines > ${rows}`);
    for (const l of lines) assert.ok(l.length <= cols, `${where}: line of ${l.length} > ${cols}: ${l}`);
  };
  fits(80, 24, 'table');
  assert.equal(rowNames(ui.frame()).length, 20, '24 rows - title, header, status, one spare');
  const headerCells = () => linesOf(ui.frame()).find((l) => /^\s+name\s/.test(l))!.trim().split(/\s{2,}/).length;
  const cellsAt80 = headerCells();
  await ui.press('b', KEY.down, KEY.space, KEY.down, KEY.space, KEY.enter);
  await ui.waitFor((f) => f.includes('Artifacts changed'), 'diff');
  fits(80, 24, 'diff');
  await ui.press(KEY.esc, KEY.esc, KEY.enter); // back, clear the marks, open the detail
  await ui.waitFor((f) => f.includes('Params ('), 'detail');
  fits(80, 24, 'detail');
  await ui.press(KEY.esc, 't');
  fits(80, 24, 'trend');
  await ui.press(KEY.esc, '?');
  fits(80, 24, 'help');
  await ui.press(KEY.esc);
  await ui.resize(60, 12);
  fits(60, 12, 'table after shrinking');
  assert.equal(rowNames(ui.frame()).length, 8);
  await ui.resize(120, 40);
  fits(120, 40, 'table after growing');
  assert.equal(rowNames(ui.frame()).length, 36);
  assert.ok(headerCells() > cellsAt80, 'a wider screen shows more columns');
  ui.quit();
});

test('5,000 experiments: only the visible window is drawn, paging reaches the end', async () => {
  const source = memorySource(generatedHistory(50, 5000));
  const ui = await renderUi(source, { columns: 100, rows: 30 });
  let f = ui.frame();
  assert.match(f, /5050 versions \(50 commits, 5000 exps\)/);
  assert.equal(rowNames(f).length, 26);
  const all = await source.rows();
  assert.deepEqual(rowNames(f), all.slice(0, 26).map((r) => r.name), 'the newest commit, then its experiments');
  assert.deepEqual(rowNames(f).slice(1, 3), ['exp-49-0', 'exp-49-1']);
  await ui.press(KEY.pageDown);
  assert.match(ui.frame(), /27\/5050\s*$/m);
  await ui.press(KEY.end);
  f = ui.frame();
  assert.match(f, /5050\/5050\s*$/m);
  assert.equal(rowNames(f).at(-1), 'exp-0-99');
  await ui.press('/', 'accuracy>0.94', KEY.enter);
  f = ui.frame();
  const shown = Number(/(\d+) of 5050 versions/.exec(f)?.[1]);
  const expected = all.filter((r) => r.metrics.accuracy > 0.94).length;
  assert.equal(shown, expected);
  assert.ok(expected > 0 && expected < 5050);
  ui.quit();
});

test('a source that fails to load shows the error', async () => {
  const source = memorySource(smallHistory());
  source.rows = async () => { throw new Error('mlv.lock: bad YAML at line 3'); };
  const { render } = await import('ink-testing-library');
  const { createElement } = await import('react');
  const { App } = await import('../../cli/ui/App.js');
  const h = render(createElement(App, { source }));
  const t0 = Date.now();
  while (!(h.lastFrame() ?? '').includes('could not load') && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 5));
  assert.match(h.lastFrame() ?? '', /could not load versions: mlv\.lock: bad YAML at line 3/);
  h.unmount();
});

test('a failed experiment is marked ✗; its detail shows why and offers no rebuild', async () => {
  const versions = smallHistory();
  const failed = versions.find((v) => v.row.name === 'exp-depth-4')!;
  failed.row.status = 'failed';
  failed.row.error = "stage 'train' failed: 'mlv train' exited with code 2\n--- stderr (tail) ---\nmlv: hyperparameter max_depth: expected an integer >= 1 or null, got \"abc\"";
  const ui = await renderUi(memorySource(versions));
  assert.match(rowOf(ui.frame(), 'exp-depth-4'), /└ exp-depth-4 ✗/);
  await ui.press(KEY.down, KEY.down, KEY.enter);
  const f = await ui.waitFor((fr) => fr.includes('Params ('), 'the detail');
  assert.match(f, /status: failed/);
  assert.match(f, /hyperparameter max_depth: expected an integer >= 1 or null, got "abc"/);
  assert.doesNotMatch(f, /rebuild: /);
  ui.quit();
});
