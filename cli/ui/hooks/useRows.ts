import { useEffect, useState } from 'react';
import type { VersionRow, VersionSource } from '../../../src/compare/types.js';

export type RowsState =
  | { status: 'loading' }
  | { status: 'ready'; value: VersionRow[]; notice?: string }
  | { status: 'error'; error: Error };

/**
 * The source's rows, loaded once, and again every `source.refreshMs` when it sets one
 * (a queue's jobs move on their own). The previous rows stay on screen while new ones
 * load, and a failed reload keeps them.
 */
export function useRows(source: VersionSource): RowsState {
  const [state, setState] = useState<{ source: VersionSource; rows: RowsState }>({ source, rows: { status: 'loading' } });
  useEffect(() => {
    let live = true;
    let timer: NodeJS.Timeout | undefined;
    const again = () => { if (live && source.refreshMs) timer = setTimeout(load, source.refreshMs); };
    function load(): void {
      source.rows().then(
        (value) => { if (live) setState({ source, rows: { status: 'ready', value, notice: source.notice?.() } }); again(); },
        (e: unknown) => {
          if (live) setState((prev) => (prev.source === source && prev.rows.status === 'ready' ? prev : { source, rows: { status: 'error', error: e instanceof Error ? e : new Error(String(e)) } }));
          again();
        },
      );
    }
    load();
    return () => { live = false; clearTimeout(timer); };
  }, [source]);
  return state.source === source ? state.rows : { status: 'loading' };
}
