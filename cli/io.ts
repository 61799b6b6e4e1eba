/**
 * Everything the CLI prints goes through here: data on stdout, progress and logs on
 * stderr, exactly one JSON document with --json.
 */
import { hostname } from 'node:os';
import type { ProgressEvent } from '../src/progress.js';
import type { LockHolder } from '../src/index.js';
import { formatBytes } from './format.js';

export const out = (text: string): void => {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
};

export const err = (text: string): void => {
  process.stderr.write(text.endsWith('\n') ? text : text + '\n');
};

export const printJson = (value: unknown): void => {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
};

export const cwd = (): string => process.cwd();

/** The status a shell reports for a writer SIGPIPE ended (128 + 13), as for `git log | head -1`. */
export const EXIT_CLOSED_PIPE = 141;

/**
 * A reader that went away (`mlv exp show | head -1`) ends the command at once and
 * quietly, as SIGPIPE ends git: Node ignores SIGPIPE, so the write fails with EPIPE
 * instead, which would otherwise be an unhandled error and its stack trace. The exit
 * is a kill's as far as data goes (what a kill can leave, the next command cleans); the
 * process's exit handlers still run.
 */
export function endQuietlyWhenReaderCloses(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(EXIT_CLOSED_PIPE);
      throw e;
    });
  }
}

/** The one line a command prints when it starts waiting for `.mlv/lock` (RepoOptions.onLockWait). */
export const lockWaitLine = (h: LockHolder): void => {
  const where = h.host === hostname() ? '' : ` on ${h.host}`;
  err(`mlv: waiting for .mlv/lock held by pid ${h.pid}${where} (mlv ${h.command})… up to ${h.timeoutS} s (MLV_LOCK_TIMEOUT sets the wait)`);
};

/**
 * A progress bar on stderr, only on a TTY, only once an operation has run for about a
 * second (short commands stay quiet). Returns the callback to hand to the library.
 */
export function progressBar(label: string): { onProgress: (e: ProgressEvent) => void; done: () => void } {
  const tty = Boolean(process.stderr.isTTY) && !process.env.MLV_NO_PROGRESS;
  // How long an operation runs before a bar appears (tests set 0).
  const after = Number(process.env.MLV_PROGRESS_AFTER_MS ?? 1000);
  const start = Date.now();
  let last = 0;
  let shown = false;
  const draw = (e: ProgressEvent) => {
    const now = Date.now();
    if (!tty || now - start < after || now - last < 100) return;
    last = now;
    shown = true;
    const width = 30;
    const frac = e.total ? Math.min(1, e.done / e.total) : 0;
    const bar = e.total ? '█'.repeat(Math.round(frac * width)).padEnd(width, '░') : '';
    const amount = e.unit === 'bytes'
      ? `${formatBytes(e.done)}${e.total ? ' / ' + formatBytes(e.total) : ''}`
      : `${e.done}${e.total ? '/' + e.total : ''} ${e.unit}`;
    const rate = e.unit === 'bytes' ? `  ${formatBytes((e.done / Math.max(1, now - start)) * 1000)}/s` : '';
    process.stderr.write(`\r\x1b[K${label} ${bar} ${amount}${rate}${e.phase ? '  ' + e.phase : ''}`);
  };
  return {
    onProgress: draw,
    done: () => { if (shown) process.stderr.write('\r\x1b[K'); },
  };
}
