/**
 * `mlv ui` — the terminal UI for comparing versions. ink and react are loaded with
 * import() only here, so every other command starts without them.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Program } from '../program.js';
import { UsageError } from '../../src/errors/index.js';
import { cwd } from '../io.js';


export function register(program: Program): void {
  program
    .command('ui')
    .description('browse and compare commits and experiments in an interactive table')
    .addHelpText('after', '\nKeys: ↑↓ move, ←→ columns, s sort, / filter, b baseline, d changed only, space mark,\nEnter detail, c diff, t trend, ? help, q quit.  Without a terminal, use `mlv exp show`.')
    .action(async () => {
      await ui();
    });
}

export async function ui(): Promise<void> {
  // ink needs raw mode on a real terminal; without one it crashes, so refuse clearly.
  if (process.stdin.isTTY !== true || process.stdout.isTTY !== true) {
    throw new UsageError(
      'mlv ui needs an interactive terminal (stdin and stdout must be a TTY); ' +
        'use `mlv exp show` (or `mlv exp show --json`) to print the versions instead',
      {},
      'ENOTTY',
    );
  }
  const root = findGitRoot(cwd());
  const { openVersionSource } = await import('../../src/api/versionSource.js');
  const source = await openVersionSource(root, { queue: { env: process.env } });
  // react's development build is several times slower per key; set before it loads.
  process.env.NODE_ENV ??= 'production';
  // ink reads CI / CONTINUOUS_INTEGRATION when it loads and then paints only the
  // last frame, on exit: a blank screen. Both ends are a TTY (checked above), so
  // the user is at a terminal whatever those variables say.
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  const { runUi } = await import('../ui/run.js');
  await runUi(source);
  process.stdin.pause();
}

function findGitRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) throw new UsageError(`not inside a git repository: ${start}`, { path: start }, 'ENOTREPO');
  }
}
