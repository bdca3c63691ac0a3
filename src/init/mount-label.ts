import type { MountStep } from './plan.js';

// config-linux.md "mountLabel": the SELinux context of the container's mounts. As runc does
// (go-selinux FormatMountLabel): filesystems mounted fresh get a context="..." option (quoted: an
// MCS label has commas), the tmpfs masks of maskedPaths too; mqueue takes no context option, so
// its mount point gets the label as a file label; binds keep the source's labels, and proc,
// sysfs and cgroup mounts have labels of their own.

const NO_CONTEXT_OPTION = new Set(['proc', 'sysfs', 'mqueue']);

export function withMountLabel(data: string, label: string): string {
  const option = `context=${JSON.stringify(label)}`;
  return data === '' ? option : `${data},${option}`;
}

/** The label's use for one mount: a context option in its data, a file label, or nothing. */
export function labelMount(step: MountStep, label: string): void {
  if (step.kind !== 'fs') return;
  if (step.type === 'mqueue') step.fileLabel = label;
  else if (!NO_CONTEXT_OPTION.has(step.type)) step.options.data = withMountLabel(step.options.data, label);
}
