import type { LinuxCapabilities, LinuxSeccomp, State } from '../../../../src/spec/types.js';

/** One forked "init": what it applies before exec'ing `/bin/sh -c script`. */
export interface Scenario {
  /** Omitted: the capability steps are skipped entirely (the child keeps root's full set). */
  capabilities?: LinuxCapabilities | null;
  user?: { uid: number; gid: number; additionalGids?: number[] };
  noNewPrivileges?: boolean;
  /** Overrides the holdForSeccomp the runner would otherwise derive (to show why it exists). */
  holdForSeccomp?: boolean;
  seccomp?: LinuxSeccomp;
  script: string;
  /** The runner acts as the seccomp agent: answers every notification with this errno. */
  agentErrno?: number;
  /** Also forward the listener to this socket, as the runtime does (listenerPath in the profile). */
  forwardState?: State;
}

export interface ScenarioResult {
  warnings: string[];
  debug: string[];
  exitCode: number | null;
  signal: number | null;
  /** The child's stdout and stderr. */
  output: string;
  /** What /proc/self/fd/N of the received listener fd points at. */
  listenerTarget?: string;
  /** Syscall numbers the runner answered as the agent. */
  notified?: number[];
}
