import { existsSync } from 'node:fs';
import type { Spec } from '../spec/types.js';

export const CRIU_CONFIG_ANNOTATION = 'org.criu.config';
/** runc's default CRIU configuration file, used when the annotation is absent. */
export const RUNC_CRIU_CONFIG = '/etc/criu/runc.conf';

/**
 * The CRIU configuration file as runc picks it: the annotation's file; none when the annotation
 * is empty; runc.conf when the annotation is absent and the file exists. A named file that does
 * not exist is an error here (CRIU would silently ignore it).
 */
export function criuConfigFile(spec: Spec, exists: (p: string) => boolean = existsSync): string | undefined {
  const value = spec.annotations?.[CRIU_CONFIG_ANNOTATION];
  if (value === undefined) return exists(RUNC_CRIU_CONFIG) ? RUNC_CRIU_CONFIG : undefined;
  if (value === '') return undefined;
  if (!exists(value)) throw new Error(`annotations["${CRIU_CONFIG_ANNOTATION}"]: the CRIU configuration file ${JSON.stringify(value)} does not exist`);
  return value;
}
