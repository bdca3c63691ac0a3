// Loading a JSON document a caller named (config.json, exec --process): one reader, so that
// every document fails the same way, with the file, the line and column or the JSON path.
import { CallerFileError, readRegularFile } from './caller-file.js';
import { ConfigError } from './config-error.js';
import type { ValidateFn } from './generated/validators.js';
import { parseJson } from './json-syntax.js';
import { mostSpecificSchemaError } from './schema-errors.js';

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

/**
 * Reads `file` (a regular file within the size limit), parses it, and checks it against its
 * generated schema validator, whose type it then has. Throws a ConfigError naming the file and
 * the line and column of a syntax error, or the JSON path of the most specific schema error.
 * `what` names the document for a top level that is no object ("a runtime-spec process").
 */
export function loadJsonDocument<T>(file: string, validate: ValidateFn<T>, what: string): T {
  let text: string;
  try {
    text = readRegularFile(file);
  } catch (error) {
    if (error instanceof CallerFileError) throw new ConfigError(file, '', error.message);
    throw error;
  }
  const parsed = parseJson(text);
  if (!parsed.ok) throw new ConfigError(file, '', parsed.reason);
  const document = parsed.value;
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new ConfigError(file, '', `must be a JSON object (${what}), got ${kindOf(document)}`);
  }
  if (!validate(document)) {
    const { path, message } = mostSpecificSchemaError(validate.errors ?? [], document);
    throw new ConfigError(file, path, message);
  }
  return document;
}
