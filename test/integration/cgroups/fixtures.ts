// What the v1 and v2 manager tests share: shells held until they are moved into a cgroup, a
// block device to write device rules for, and the cleanup of both after every test.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, readdirSync } from 'node:fs';

/** What cleanUp needs of a manager (v1 and v2 managers both have it). */
interface Removable {
  exists(): boolean;
  killAll(signal: number): void;
  thaw(): void;
  destroy(): void;
}

export interface HeldExit {
  code: number | null;
  signal: string | null;
  out: string;
  err: string;
}

export interface Held {
  pid: number;
  /** Lets the shell run its script. */
  release: () => void;
  done: Promise<HeldExit>;
}

export class CgroupFixtures {
  private readonly children: ChildProcess[] = [];
  private readonly managers: Removable[] = [];

  /** Destroyed (after killing and thawing what it holds) by cleanUp. */
  track<M extends Removable>(m: M): M {
    this.managers.push(m);
    return m;
  }

  /** A shell that waits for one line on stdin before running `script`, so it can be moved into a cgroup first. */
  held(script: string): Held {
    const child = spawn('sh', ['-c', `read _ready; ${script}`], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.children.push(child);
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    const done = new Promise<HeldExit>((resolve) => {
      child.on('exit', (code, signal) => setTimeout(() => resolve({ code, signal, out, err }), 20));
    });
    return { pid: child.pid ?? -1, release: () => child.stdin?.write('go\n'), done };
  }

  /** Kills the shells still running, then empties and destroys every tracked cgroup. */
  async cleanUp(): Promise<void> {
    for (const c of this.children.splice(0)) {
      if (c.exitCode === null && c.signalCode === null && c.pid) {
        try {
          process.kill(c.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
        await new Promise((r) => c.once('exit', r));
      }
    }
    for (const m of this.managers.splice(0)) {
      if (m.exists()) {
        m.killAll(9);
        m.thaw();
      }
      m.destroy();
    }
  }
}

/**
 * A block device this host lets root open (some sandboxes refuse even root on their disks),
 * as its node and "major:minor": device rules are then the only thing that can deny it.
 */
export function openableBlockDevice(): { node: string; dev: string } | undefined {
  for (const name of readdirSync('/sys/block')) {
    const node = `/dev/${name}`;
    try {
      closeSync(openSync(node, 'r'));
    } catch {
      continue;
    }
    return { node, dev: readFileSync(`/sys/block/${name}/dev`, 'utf8').trim() };
  }
  return undefined;
}
