/**
 * Base of every error mlv throws on purpose. `code` is stable (tests and JSON output
 * rely on it), `exitCode` is the README's (Commands): 1 a check failed, 2 usage or input,
 * 3 internal. The CLI maps errors to exit codes in one place (cli/main.ts).
 */
export class MlvError extends Error {
  readonly code: string;
  readonly exitCode: number;
  readonly data: Record<string, unknown>;

  constructor(code: string, message: string, exitCode: number, data: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
    this.data = data;
  }
}
