import React from 'react';
import { clip, lineWidth, seg, type Line } from '../format.js';
import { Lines } from './Lines.js';

/** The one-line title bar: where you are, and what shapes the table. */
export function TitleBar({ parts, width }: { parts: Array<string | undefined>; width: number }): React.JSX.Element {
  const line: Line = [seg('mlv ui', { bold: true, color: 'cyan' })];
  for (const p of parts) if (p) line.push(seg('  ' + p));
  return <Lines lines={[line]} width={width} />;
}

/** The bottom line: the filter prompt, a message, or the keys that work here. */
export function StatusBar({ prompt, error, message, hints, position, width }: {
  prompt?: string; error?: string; message?: string; hints: string; position?: string; width: number;
}): React.JSX.Element {
  let line: Line;
  if (prompt !== undefined) {
    line = [seg('/', { bold: true, color: 'yellow' }), seg(prompt), seg('▏', { color: 'yellow' })];
    if (error) line.push(seg('  ' + error, { color: 'red' }));
    else line.push(seg('  Enter apply · Esc cancel', { dim: true }));
  } else if (message) {
    line = [seg(message, { color: 'yellow' })];
  } else {
    line = [seg(hints, { dim: true })];
  }
  if (position && width > position.length + 10) {
    // The position always shows; the hints give way.
    const room = width - position.length - 1;
    line = clip(line, room);
    const used = lineWidth(line);
    line = [...line, seg(' '.repeat(Math.max(1, width - used - position.length)) + position, { dim: true })];
  }
  return <Lines lines={[line]} width={width} />;
}
