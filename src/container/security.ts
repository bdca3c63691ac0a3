import type { InitSecurity } from '../init/init.js';
import type { Logger } from '../log.js';
import type { Spec } from '../spec/types.js';

export interface PreparedSecurity {
  init: InitSecurity;
  release(): void;
}

/** Capabilities, LSM labels and seccomp, decided in the parent and handed to the init. */
export function prepareSecurity(_spec: Spec, _log: Logger): PreparedSecurity {
  return { init: {}, release: () => undefined };
}
