import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildInitPlan, type InitPlan } from '../init/plan.js';
import { canSwitchPidNamespace, needsIntermediate } from '../init/enter-namespaces.js';
import type { CgroupHierarchies } from '../cgroups/detect.js';
import type { Logger } from '../log.js';
import { ConfigError, configPath, loadConfig, requireProcess, type RunnableSpec } from '../spec/validate.js';
import { rootlessConfigProblem } from '../spec/rootless.js';
import { validateContainerId } from '../state/container-id.js';
import { prepareIdMaps, type IdCaller, type IdMapHelpers } from './id-maps.js';
import { applyPassthrough } from './passthrough.js';
import { checkConsoleRequest, type ConsoleRequest } from './console-socket.js';
import { containerRdt, type ContainerRdt } from './intel-rdt.js';
import { checkNetDevices } from './net-devices.js';

export interface CreateOptions {
  root: string;
  id: string;
  bundle: string;
  pidFile?: string;
  /** --pidfd-socket: where a pidfd of the init is sent. */
  pidfdSocket?: string;
  consoleSocket?: string;
  /** A console socket the caller made (foreground run proxies the terminal itself). */
  consoleSocketFd?: number;
  noPivot: boolean;
  noNewKeyring: boolean;
  preserveFds: number;
  /** --systemd-cgroup: the cgroup is a transient systemd unit. */
  systemdCgroup?: boolean;
  /** --rootless: cgroups the caller may not create are handled by runc's rules (cgroups/rootless.ts). */
  rootlessCgroups: boolean;
  /** The host's cgroup hierarchies, when the caller read them already. */
  hierarchies?: CgroupHierarchies;
  /**
   * The flag that needs the init to be our own child: refused up front when the namespaces need
   * an intermediate process (whose child the init then is).
   */
  initMustBeChild?: string;
  log: Logger;
}

/** What create decided before touching anything: every later step only carries it out. */
export interface CreatePlan {
  bundle: string;
  spec: RunnableSpec;
  caller: IdCaller;
  idMapHelpers: IdMapHelpers;
  /** The init's plan, made from the config with the caller's passthrough (LISTEN_FDS, NOTIFY_SOCKET) applied. */
  init: InitPlan;
  /** The init is forked through an intermediate process (a new user or time namespace). */
  intermediate: boolean;
  rdt: ContainerRdt | undefined;
  console: ConsoleRequest;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return true;
  }
}

/**
 * Validates the id, the bundle and the request and makes the plans. It writes nothing: bad input
 * fails here, before the state dir exists.
 */
export async function planCreate(o: CreateOptions): Promise<CreatePlan> {
  validateContainerId(o.id);
  const bundle = resolve(o.bundle);
  const spec = await loadConfig(bundle);
  requireProcess(spec, bundle);
  const passed = applyPassthrough(spec, process.env, o.preserveFds);
  const caller: IdCaller = { euid: process.geteuid?.() ?? 0, egid: process.getegid?.() ?? 0 };
  if (caller.euid !== 0) {
    const problem = rootlessConfigProblem(spec, caller.euid);
    if (problem) throw new ConfigError(configPath(bundle), problem.path, problem.message);
  }
  const idMapHelpers = prepareIdMaps(spec, caller, process.env);
  const init = buildInitPlan(passed.spec, { bundle, noPivot: o.noPivot, noNewKeyring: o.noNewKeyring, preserveFds: passed.preserveFds, isDirectory });
  const intermediate = needsIntermediate(init.namespaces, canSwitchPidNamespace());
  if (o.initMustBeChild && intermediate) {
    throw new Error(`${o.initMustBeChild}: a new user or time namespace (or, for a rootless runtime, a pid namespace) is entered through an intermediate process, so the init is not this process's child and only a subreaper can wait for it`);
  }
  const rdt = containerRdt(spec, o.id);
  const consoleRequest: ConsoleRequest = { terminal: spec.process.terminal === true, consoleSocket: o.consoleSocket, consoleSocketFd: o.consoleSocketFd };
  checkConsoleRequest(consoleRequest);
  checkNetDevices(spec.linux?.netDevices);
  return { bundle, spec, caller, idMapHelpers, init, intermediate, rdt, console: consoleRequest };
}
