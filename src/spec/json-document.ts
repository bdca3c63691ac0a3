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
 * Reads `file` (a regular file within the size limit) and parses it. Throws a ConfigError naming
 * the file and the line and column of a syntax error, or saying that the top level is no object:
 * `what` names the document then ("a runtime-spec process").
 */
export function readJsonObject(file: string, what: string): object {
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
  return document;
}

/**
 * readJsonObject, then the document's generated schema validator, whose type it then has: a
 * ConfigError names the JSON path of the most specific schema error.
 */
export function loadJsonDocument<T>(file: string, validate: ValidateFn<T>, what: string): T {
  const document = readJsonObject(file, what);
  if (!validate(document)) throw schemaRejection(file, validate, document);
  return document;
}

/** The error of a document `validate` has just refused: its most specific schema error. */
export function schemaRejection(file: string, validate: ValidateFn, document: object): ConfigError {
  const { path, message } = mostSpecificSchemaError(validate.errors ?? [], document);
  return new ConfigError(file, path, message);
}
