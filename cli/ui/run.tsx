/**
 * Mounts the UI on the real terminal. Only `mlv ui` imports this module (with
 * `import()`), so no other command pays for loading ink and react.
 */
import React from 'react';
import { render } from 'ink';
import type { VersionSource } from '../../src/compare/types.js';
import { App } from './App.js';

export interface RunUiOptions {
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
}

export async function runUi(source: VersionSource, opts: RunUiOptions = {}): Promise<void> {
  const stdout = opts.stdout ?? process.stdout;
  const stdin = opts.stdin ?? process.stdin;
  // The alternate screen keeps the user's scrollback intact, as less and vim do.
  stdout.write('\u001B[?1049h\u001B[H');
  const restore = () => stdout.write('\u001B[?1049l');
  try {
    const app = render(<App source={source} />, { stdout, stdin, exitOnCtrlC: true, patchConsole: true });
    await app.waitUntilExit();
  } finally {
    restore();
  }
}
