import React from 'react';
import { Box, Text, useStdout } from 'ink';
import { clip, toAnsi, type Line } from '../format.js';

/**
 * Whether to colour, decided as chalk (inside ink) decides: FORCE_COLOR, NO_COLOR,
 * then whether the output is a terminal.
 */
export function useColor(): boolean {
  const { stdout } = useStdout();
  const force = process.env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (process.env.NO_COLOR !== undefined) return false;
  return Boolean((stdout as { isTTY?: boolean }).isTTY) && process.env.TERM !== 'dumb';
}

/**
 * Styled lines, each clipped to `width` so the terminal never wraps them. A line
 * is one ink text node with its own escape codes: a node per segment made every
 * key cost about twice as much with a full screen of rows.
 */
export function Lines({ lines, width }: { lines: readonly Line[]; width: number }): React.JSX.Element {
  const color = useColor();
  return (
    <Box flexDirection="column">
      {lines.map((line, i) => <LineText key={i} text={toAnsi(clip(line, width), color)} />)}
    </Box>
  );
}

const LineText = React.memo(function LineText({ text }: { text: string }): React.JSX.Element {
  return <Text wrap="truncate">{text === '' ? ' ' : text}</Text>;
});

/** A window of `height` lines starting at `offset`, for views longer than the screen. */
export function ScrollView({ lines, width, height, offset }: {
  lines: readonly Line[]; width: number; height: number; offset: number;
}): React.JSX.Element {
  return <Lines lines={lines.slice(offset, offset + height)} width={width} />;
}
