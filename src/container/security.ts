import type { InitSecurity } from '../init/init.js';
import type { Logger } from '../log.js';
import { applyCapabilities, dropBoundingSet, planCapabilities, readHostBounding, readLastCap } from '../security/capabilities.js';
import { applyLsm, checkLsm, labelKeyring } from '../security/lsm.js';
import { loadSeccomp, loadSeccompListener, prepareSeccomp, releaseSeccomp, type PreparedSeccomp } from '../security/seccomp.js';
import type { Spec } from '../spec/types.js';

export interface PreparedSecurity {
  init: InitSecurity;
  /** Null unless the profile has SCMP_ACT_NOTIFY rules: then create forwards the listener fd. */
  seccomp: PreparedSeccomp | null;
  release(): void;
}

/**
 * Capabilities, LSM labels and seccomp, decided and compiled in the parent so that the forked
 * init only makes the system calls (and touches few pages after joining the cgroup).
 */
export function prepareSecurity(spec: Spec, log: Logger): PreparedSecurity {
  const proc = spec.process;
  const lsm = checkLsm(proc, spec.linux);
  const seccomp = prepareSeccomp(spec.linux?.seccomp);
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    if (seccomp) releaseSeccomp(seccomp);
  };
  try {
    const init: InitSecurity = {};
    if (proc) {
      const { plan, warnings } = planCapabilities(proc.capabilities, readHostBounding(), {
        holdForSeccomp: seccomp !== null && !proc.noNewPrivileges,
        lastCap: readLastCap(),
      });
      for (const w of warnings) log.warn(w);
      init.dropBounding = (sys) => dropBoundingSet(sys, plan);
      init.applyCapabilities = (sys) => applyCapabilities(sys, plan);
    }
    if (lsm.apparmorProfile !== undefined || lsm.selinuxLabel !== undefined) init.applyLsm = (sys) => applyLsm(sys, lsm);
    const { selinuxLabel } = lsm;
    if (selinuxLabel !== undefined) init.labelKeyring = (sys, join) => labelKeyring(sys, selinuxLabel, join);
    if (seccomp) {
      for (const d of seccomp.debug) log.debug(d);
      init.loadSeccompListener = (sys) => loadSeccompListener(sys, seccomp);
      init.loadSeccomp = (sys) => loadSeccomp(sys, seccomp);
    }
    return { init, seccomp, release };
  } catch (err) {
    release();
    throw err;
  }
}
