/**
 * mlv's commander program. An action returns its exit code (1 a check failed, 130
 * interrupted; nothing for 0) instead of setting a shared one, so no command module
 * imports cli/main.ts; main reads the code off the program when parsing ends.
 */
import { Command } from 'commander';

/** What an action returns: an exit code, or nothing for 0. */
export type ExitCode = number | void;

export class Program extends Command {
  /** The largest code an action of this program returned. */
  exitCode = 0;

  override createCommand(name?: string): Program {
    return new Program(name);
  }

  override action(fn: (this: this, ...args: any[]) => ExitCode | Promise<ExitCode>): this {
    return super.action(async (...args: any[]) => {
      const code = await fn.apply(this, args);
      if (typeof code !== 'number') return;
      let root: Command = this;
      while (root.parent) root = root.parent;
      if (root instanceof Program) root.exitCode = Math.max(root.exitCode, code);
    });
  }
}
