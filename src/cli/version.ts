import { readFileSync } from 'node:fs';
import { SPEC_VERSION } from '../spec/version.js';

export const OCIRUN_VERSION = '0.1.0';

function commit(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../build-info.json', import.meta.url), 'utf8')) as { commit?: string }).commit ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** go-runc parses "<name> version X", "commit: ..." and "spec: ..." lines. */
export function versionText(): string {
  return `ocirun version ${OCIRUN_VERSION}\ncommit: ${commit()}\nspec: ${SPEC_VERSION}\nnode: ${process.version}\n`;
}
