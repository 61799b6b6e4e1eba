/**
 * Ctrl-C (SIGINT) and SIGTERM while a verb runs, in one place: the handlers are
 * installed for the run of `fn` only and always removed, and `cleanup` runs however
 * `fn` ends.
 */
import { err } from './io.js';

export interface InterruptOptions {
  /** Said after "mlv: SIGINT: " when the first signal aborts the run. */
  stopping: string;
  /** What a second signal does (exp run: remove the worktrees and exit); by default the first's again. */
  again?: () => void;
  /** Runs when `fn` ends, however it ends. */
  cleanup?: () => void;
  /** The signals that interrupt (default SIGINT and SIGTERM). */
  signals?: NodeJS.Signals[];
  /** How the message starts (default "mlv"). */
  who?: string;
}

/** Run `fn(signal)`; a signal aborts `signal` (its reason the signal's name). */
export async function withInterrupt<T>(o: InterruptOptions, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ctl = new AbortController();
  return onSignals((sig, count) => {
    if (count > 1 && o.again) return o.again();
    err(`${o.who ?? 'mlv'}: ${sig}: ${o.stopping}`);
    ctl.abort(new Error(sig));
  }, () => fn(ctl.signal), o);
}

/** The general form: `handler(signal, how many so far)` for each signal while `fn` runs. */
export async function onSignals<T>(
  handler: (sig: NodeJS.Signals, count: number) => void,
  fn: () => Promise<T>,
  o: { signals?: NodeJS.Signals[]; cleanup?: () => void } = {},
): Promise<T> {
  let count = 0;
  const listener = (sig: NodeJS.Signals) => handler(sig, ++count);
  const signals = o.signals ?? ['SIGINT', 'SIGTERM'];
  for (const s of signals) process.on(s, listener);
  try {
    return await fn();
  } finally {
    for (const s of signals) process.off(s, listener);
    o.cleanup?.();
  }
}
