/**
 * Driving the ink app in tests: render with ink-testing-library at a chosen
 * terminal size, press keys, and wait for the frame to show what we expect.
 */
import { createElement } from 'react';
import { render } from 'ink-testing-library';
import { App } from '../../cli/ui/App.js';
import type { VersionSource } from '../../src/compare/types.js';

export const KEY = {
  up: '\u001B[A',
  down: '\u001B[B',
  right: '\u001B[C',
  left: '\u001B[D',
  pageUp: '\u001B[5~',
  pageDown: '\u001B[6~',
  home: '\u001B[H',
  end: '\u001B[F',
  esc: '\u001B',
  enter: '\r',
  space: ' ',
  backspace: '\u007F',
} as const;

export type UiHandle = ReturnType<typeof render> & {
  frame: () => string;
  press: (...keys: string[]) => Promise<void>;
  waitFor: (pred: (frame: string) => boolean, what: string) => Promise<string>;
  resize: (columns: number, rows: number) => Promise<void>;
  quit: () => void;
  quitCalls: () => number;
};

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function renderUi(source: VersionSource, size = { columns: 100, rows: 30 }): Promise<UiHandle> {
  let quits = 0;
  const h = render(createElement(App, { source, onQuit: () => { quits++; } }));
  // The fake stdout reports 100 columns and no rows; make it the size we test at.
  Object.defineProperty(h.stdout, 'columns', { value: size.columns, configurable: true, writable: true });
  Object.defineProperty(h.stdout, 'rows', { value: size.rows, configurable: true, writable: true });
  h.stdout.emit('resize');
  const frame = () => h.lastFrame() ?? '';
  const waitFor = async (pred: (f: string) => boolean, what: string): Promise<string> => {
    const t0 = Date.now();
    while (!pred(frame())) {
      if (Date.now() - t0 > 5000) throw new Error(`timed out waiting for ${what}; last frame:\n${frame()}`);
      await delay(5);
    }
    return frame();
  };
  const handle: UiHandle = Object.assign(h, {
    frame,
    waitFor,
    async press(...keys: string[]) {
      for (const k of keys) {
        const before = h.frames.length;
        h.stdin.write(k);
        // Most keys repaint; give the ones that do not a moment, then move on.
        const t0 = Date.now();
        while (h.frames.length === before && Date.now() - t0 < 150) await delay(2);
        await delay(2);
      }
    },
    async resize(columns: number, rows: number) {
      Object.defineProperty(h.stdout, 'columns', { value: columns, configurable: true, writable: true });
      Object.defineProperty(h.stdout, 'rows', { value: rows, configurable: true, writable: true });
      h.stdout.emit('resize');
      await delay(30);
    },
    quit() { h.unmount(); h.cleanup(); },
    quitCalls: () => quits,
  });
  await waitFor((f) => f.includes('versions ('), 'the table');
  // ink subscribes to stdin in an effect after the first paint.
  await delay(20);
  return handle;
}

/** The frame's lines, without trailing spaces. */
export const linesOf = (frame: string): string[] => frame.split('\n').map((l) => l.trimEnd());

/** The table line whose name cell shows `name` (first match). */
export function rowOf(frame: string, name: string): string {
  const lines = linesOf(frame);
  const line = lines.slice(lines.findIndex((l) => /^\s+name\b/.test(l)) + 1, -1).find((l) => new RegExp(`(^|[^\\w-])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\s|$)`).test(l));
  if (!line) throw new Error(`no row ${name} in frame:\n${frame}`);
  return line;
}

/** Names of the data rows, top to bottom (lines after the header, before the status bar). */
export function rowNames(frame: string): string[] {
  const lines = linesOf(frame);
  const header = lines.findIndex((l) => /^\s+name\b/.test(l));
  const out: string[] = [];
  for (let i = header + 1; i < lines.length - 1; i++) {
    const m = /^..(?:[├└◦] )?(\S+)/.exec(lines[i]);
    if (!m || lines[i].trim() === '') continue;
    out.push(m[1]);
  }
  return out;
}
