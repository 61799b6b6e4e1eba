import { useEffect, useState } from 'react';

export type AsyncState<T> =
  | { status: 'loading' }
  | { status: 'ready'; value: T }
  | { status: 'error'; error: Error };

const same = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((x, i) => Object.is(x, b[i]));

/**
 * Run `load` whenever `deps` change and expose its progress as state. A result is
 * only ever shown for the deps it was loaded for: after a change, the view says
 * "loading" instead of showing the previous row's data under the new title.
 */
export function useAsync<T>(load: (() => Promise<T>) | undefined, deps: readonly unknown[]): AsyncState<T> {
  const [state, setState] = useState<{ deps: readonly unknown[]; result: AsyncState<T> }>({ deps: [], result: { status: 'loading' } });
  useEffect(() => {
    if (!load) return;
    let live = true;
    load().then(
      (value) => { if (live) setState({ deps, result: { status: 'ready', value } }); },
      (e: unknown) => { if (live) setState({ deps, result: { status: 'error', error: e instanceof Error ? e : new Error(String(e)) } }); },
    );
    return () => { live = false; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return same(state.deps, deps) ? state.result : { status: 'loading' };
}
