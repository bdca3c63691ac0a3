/**
 * A config.json that cannot be used. The message is one line, file first, so that it reads
 * well both on a terminal and as the `msg` of a JSON log line:
 *   /b/config.json: process.args: must be array
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    /** Absolute path of the offending file. */
    readonly file: string,
    /** Dotted JSON path of the offending value ("" when the file as a whole is at fault). */
    readonly path: string,
    /** What was expected, without the file or path. */
    readonly detail: string,
  ) {
    super(path === '' ? `${file}: ${detail}` : `${file}: ${path}: ${detail}`);
  }
}

/** A semantic check's finding, before it is tied to a file. */
export interface SpecProblem {
  path: string;
  message: string;
}

/** "no such file or directory" from a Node fs error: the words runc and engines use. */
export function systemErrorReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Node's form is "ENOENT: no such file or directory, stat '/x'".
  const match = /^[A-Z]+: ([^,]+)/.exec(error.message);
  return match?.[1] ?? error.message;
}
