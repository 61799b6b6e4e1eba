import { CommanderError } from 'commander';
import { environmentError, MlvError } from '../src/errors/index.js';
import { registerAll } from './commands/index.js';
import { endQuietlyWhenReaderCloses, err, printJson } from './io.js';
import { VERSION } from '../src/version.js';
import { Program } from './program.js';

/**
 * The only place that turns errors into exit codes (the README's, under Commands): 0 ok, 1 a check
 * failed, 2 usage or input, 3 internal; 141 when the reader of the output went away (io.ts).
 */
export async function main(argv: string[]): Promise<number> {
  // mlv supports Node 20; the AWS SDK's notice about its own future releases is not for users.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  endQuietlyWhenReaderCloses();
  const program = new Program('mlv')
    .description('Git-native data and model versioning for machine learning')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  try {
    await registerAll(program, argv);
    await program.parseAsync(argv);
    return program.exitCode;
  } catch (e) {
    return report(e, argv.includes('--json'));
  }
}

function report(thrown: unknown, json: boolean): number {
  // A full or read-only disk is the machine's state, not a bug: exit 2 naming the path.
  const e = environmentError(thrown) ?? thrown;
  if (e !== thrown && process.env.MLV_DEBUG) err(String((thrown as Error).stack));
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    const code = e.exitCode === 0 ? 0 : 2;
    if (json && code) printJson({ error: { code: 'EUSAGE', message: e.message.replace(/^error: /, ''), exitCode: 2 } });
    return code;
  }
  if (e instanceof MlvError) {
    err(`mlv: ${e.message}`);
    // With --json the one document on stdout is the error, so scripts never parse nothing.
    if (json) printJson({ error: { code: e.code, message: e.message, exitCode: e.exitCode, ...e.data } });
    return e.exitCode;
  }
  const error = e as Error;
  err(`mlv: internal error: ${error?.message ?? String(e)}`);
  if (process.env.MLV_DEBUG && error?.stack) err(error.stack);
  if (json) printJson({ error: { code: 'EINTERNAL', message: error?.message ?? String(e), exitCode: 3 } });
  return 3;
}
