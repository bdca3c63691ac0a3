import type { MountStep } from './plan.js';

// config-linux.md "mountLabel": the SELinux context of the container's mounts. As runc does
// (go-selinux FormatMountLabel): filesystems mounted fresh get a context="..." option (quoted: an
// MCS label has commas), the tmpfs masks of maskedPaths too; binds keep the source's labels, and
// proc, sysfs and cgroup mounts have labels of their own. mqueue gets the option first too, but its
// superblock is the IPC namespace's, which the kernel made without options, so SELinux refuses a
// mount of it with other ones (EINVAL, "same superblock, different security settings"): then it is
// mounted without and its root gets the label as a file label (the policy's fs_use_trans allows it).

const NO_CONTEXT_OPTION = new Set(['proc', 'sysfs']);

export function withMountLabel(data: string, label: string): string {
  const option = `context=${JSON.stringify(label)}`;
  return data === '' ? option : `${data},${option}`;
}

/** The label's use for one mount: a context option in its data (mqueue: with a fallback), or nothing. */
export function labelMount(step: MountStep, label: string): void {
  if (step.kind !== 'fs' || NO_CONTEXT_OPTION.has(step.type)) return;
  if (step.type === 'mqueue') step.labelFallback = { data: step.options.data, label };
  step.options.data = withMountLabel(step.options.data, label);
}
