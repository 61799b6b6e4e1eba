/** Progress reported by long library operations; the CLI decides how (and whether) to draw it. */
export interface ProgressEvent {
  unit: 'bytes' | 'files' | 'objects' | 'stages' | 'runs';
  done: number;
  total?: number;
  phase?: string;
}

export type OnProgress = (e: ProgressEvent) => void;
