import type { LinuxResources } from '../spec/types.js';

/**
 * The lifecycle steps the cgroupfs driver does by itself, synchronously: the systemd driver needs
 * D-Bus round trips for the same steps (see CgroupManager).
 */
export abstract class CgroupfsLifecycle {
  readonly driver = 'cgroupfs' as const;

  abstract apply(resources: LinuxResources): void;
  abstract destroy(): void;

  /** Nothing: the init joins late, through addProcess. */
  async adopt(_pid: number): Promise<void> {}

  async update(resources: LinuxResources): Promise<void> {
    this.apply(resources);
  }

  async remove(): Promise<void> {
    this.destroy();
  }
}
