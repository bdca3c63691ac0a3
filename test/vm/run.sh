#!/usr/bin/env bash
# Runs guest test sets inside a cgroup v2 + systemd virtual machine: one boot for all the sets.
#
#   test/vm/run.sh [--job-dir DIR] [--timeout SECONDS] [--quiet] [SET...]
#   npm run test:guest [-- SET...]        (builds ocirun and the rootfs first)
# Without a SET, every set runs.
#
# The harness API, for whoever adds a set:
# - A set is a directory test/guest/SET/ of vitest files (*.test.ts). They run in the guest under
#   test/guest/vitest.config.ts, one file at a time, as root, from this checkout (mounted
#   read-only at the same path over 9p: dist/, bundles/rootfs and node_modules must be built on
#   the host first), with the host's node binary, OCIRUN_GUEST=1 in the environment and a
#   private writable /tmp. The guest is Debian bookworm (kernel 6.1) with systemd as PID 1 on pure
#   cgroup v2 (cgroup_no_v1=all), 16 huge pages of 2 MiB reserved, and the packages listed in
#   build-image.sh (runc, crun, podman, containerd, docker.io, criu, apparmor, uidmap, ...).
#   containerd, docker and the AppArmor profiles are installed but not started at boot (each
#   costs seconds under emulation): a set starts what it needs (`systemctl start containerd`,
#   `systemctl start apparmor`). No network. Each boot starts from the pristine image
#   (snapshot=on), so a set may change anything in the guest.
# - A set that needs kernel arguments of its own (SELinux instead of AppArmor: security=selinux)
#   lists them in test/guest/SET/kernel-args; they are appended to the command line. Sets with the
#   same arguments (most have none) share a boot; each distinct list boots once, in turn, with the
#   job directory of each boot under the given one as boot-1, boot-2, ... (no kernel-args first).
# - The host suite runs every set through test/vm/guest.test.ts, which reports each guest test as
#   a test of its own; OCIRUN_VM=0 skips the VM stage there (with a message).
#
# Exit status: the guest vitest's; 77 when this machine cannot run the VM (QEMU or mmdebstrap
# missing, image build failed), with the reason on stderr; 2 for usage errors; 3 when the guest
# gave no exit code (timeout, failed boot: see console.log).
# The job directory (a fresh temp dir unless --job-dir) keeps: output (the guest run's output),
# report.json (vitest's JSON report), console.log (the serial console), exit-code and timings
# (seconds: `boot` until the job started, `tests` for the job).
# Environment: OCIRUN_VM_CGROUP (v2, the default, or v1: the same image booted with systemd's
# legacy cgroup v1 layout, for sets that cover v1 paths), OCIRUN_VM_CACHE (image cache, default /var/cache/ocirun-vm), OCIRUN_VM_TIMEOUT
# (seconds, default 3600), OCIRUN_VM_MEMORY (MiB, default 2048), OCIRUN_VM_CPUS (default 2),
# OCIRUN_VM_ACCEL (tcg or kvm; default kvm only where kvm_intel/kvm_amd is loaded).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
job=""
timeout=${OCIRUN_VM_TIMEOUT:-3600}
quiet=0
sets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --job-dir) job=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --quiet) quiet=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "vm: unknown option $1" >&2; exit 2 ;;
    *) sets+=("$1"); shift ;;
  esac
done
if [ ${#sets[@]} -eq 0 ]; then
  for d in "$repo"/test/guest/*/; do sets+=("$(basename "$d")"); done
fi
for s in "${sets[@]}"; do
  if [ ! -d "$repo/test/guest/$s" ]; then echo "vm: no guest test set test/guest/$s" >&2; exit 2; fi
done
# A set's kernel-args file adds to the boot's command line; sets with different ones boot apart,
# one after another, each in a job directory of its own under this one (boot-1, boot-2, ...).
kernel_args() { if [ -f "$repo/test/guest/$1/kernel-args" ]; then echo $(cat "$repo/test/guest/$1/kernel-args"); else echo; fi; }
mapfile -t boots < <(for s in "${sets[@]}"; do kernel_args "$s"; done | sort -u)
if [ ${#boots[@]} -gt 1 ]; then
  [ -n "$job" ] || job=$(mktemp -d /tmp/ocirun-vm-job-XXXXXX)
  rc=0 n=0
  for args in "${boots[@]}"; do
    n=$((n + 1)) group=()
    for s in "${sets[@]}"; do [ "$(kernel_args "$s")" = "$args" ] && group+=("$s"); done
    opts=(--job-dir "$job/boot-$n" --timeout "$timeout"); [ "$quiet" = 1 ] && opts+=(--quiet)
    bash "$0" "${opts[@]}" "${group[@]}" || { r=$?; [ "$rc" != 0 ] || rc=$r; }
  done
  exit "$rc"
fi
extra_args=${boots[0]:-}
if ! command -v qemu-system-x86_64 >/dev/null; then
  echo "vm: qemu-system-x86_64 is not installed, so the guest cannot boot (Debian: apt-get install qemu-system-x86)" >&2
  exit 77
fi
for built in dist/cli bundles/rootfs/bin/busybox node_modules/vitest; do
  if [ ! -e "$repo/$built" ]; then echo "vm: $built is missing: run npm run build && npm run rootfs first" >&2; exit 2; fi
done

. "$here/image.sh"
vm_image_acquire || exit $?

if [ -z "$job" ]; then job=$(mktemp -d /tmp/ocirun-vm-job-XXXXXX); fi
mkdir -p "$job"
rm -f "$job"/{output,report.json,console.log,exit-code,timings}
cp "$(readlink -f "$(command -v node)")" "$job/node"
cp "$here/guest-job.sh" "$job/job.sh"
{
  printf 'SRC=%q\n' "$repo"
  printf 'SETS=%q\n' "${sets[*]}"
} > "$job/job.env"

accel=${OCIRUN_VM_ACCEL:-}
if [ -z "$accel" ]; then
  accel=tcg
  if [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; then [ -w /dev/kvm ] && accel=kvm; fi
fi
if [ "$accel" = tcg ]; then accel_opt=tcg,thread=multi; else accel_opt=kvm; fi

case "${OCIRUN_VM_CGROUP:-v2}" in
  v2) cgroup_opts="systemd.unified_cgroup_hierarchy=1 cgroup_no_v1=all" ;;
  # systemd's legacy layout, a cgroup v1 host as this project's build machine is: the v1
  # controllers, systemd's own tracking on an otherwise empty cgroup2 at /sys/fs/cgroup/unified.
  v1) cgroup_opts="systemd.unified_cgroup_hierarchy=0" ;;
  *) echo "vm: OCIRUN_VM_CGROUP must be v1 or v2, not $OCIRUN_VM_CGROUP" >&2; exit 2 ;;
esac
cmdline="root=/dev/vda rw console=ttyS0 quiet panic=-1 no_timer_check fsck.mode=skip mitigations=off $cgroup_opts hugepages=16${extra_args:+ $extra_args}"
echo "vm: booting $VM_IMAGE_DIR ($accel) for ${sets[*]}${extra_args:+ with $extra_args}; job dir $job" >&2
start=$SECONDS
touch "$job/console.log"
# The tailer must not hold the image lock (fd 9) after this script.
if [ "$quiet" = 0 ]; then tail -n +1 -f "$job/console.log" >&2 9>&- & tailer=$!; trap 'kill "$tailer" 2>/dev/null' EXIT; fi
set +e
timeout --kill-after=10 "$timeout" qemu-system-x86_64 \
  -accel "$accel_opt" -cpu max -m "${OCIRUN_VM_MEMORY:-2048}" -smp "${OCIRUN_VM_CPUS:-2}" \
  -nodefaults -display none -no-reboot -nic none -monitor none -serial "file:$job/console.log" \
  -kernel "$VM_IMAGE_DIR/vmlinuz" -initrd "$VM_IMAGE_DIR/initrd.img" -append "$cmdline" \
  -drive "file=$VM_IMAGE_DIR/disk.img,format=raw,if=virtio,snapshot=on" \
  -virtfs "local,path=$job,mount_tag=job,security_model=none,id=job" \
  -virtfs "local,path=$repo,mount_tag=src,security_model=none,readonly=on,id=src"
qemu=$?
set -e
if [ "$quiet" = 0 ]; then sleep 0.2; kill "$tailer" 2>/dev/null; wait "$tailer" 2>/dev/null || true; trap - EXIT; fi
rm -f "$job/node"
total=$((SECONDS - start))
if [ ! -f "$job/exit-code" ]; then
  if [ "$qemu" = 124 ] || [ "$qemu" = 137 ]; then why="timed out after $timeout s"; else why="QEMU exited with $qemu"; fi
  echo "vm: the guest gave no exit code ($why); last console lines:" >&2
  tail -n 30 "$job/console.log" >&2
  exit 3
fi
echo "total=$total" >> "$job/timings"
echo "vm: $(tr '\n' ' ' < "$job/timings")(seconds; job dir $job)" >&2
exit "$(cat "$job/exit-code")"
