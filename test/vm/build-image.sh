#!/usr/bin/env bash
# Builds the guest of the VM test stage into OUTDIR: a Debian bookworm root with systemd as PID 1
# on pure cgroup v2, as an ext4 disk image (disk.img) plus its kernel (vmlinuz) and a small
# initramfs (initrd.img). No mount or loop device is needed: mmdebstrap builds a directory and
# `mke2fs -d` turns it into the image. Called by image.sh, which caches the result; every package
# a guest test set needs is installed here so the image is built once.
#
# The guest runs one job per boot: ocirun-job.service waits for the system to be up, mounts the
# 9p share tagged `job` on /mnt/job, runs /mnt/job/job.sh with its output in /mnt/job/output and
# its exit code in /mnt/job/exit-code, then powers off (see run.sh for the host side).
set -euo pipefail
out=${1:?usage: build-image.sh OUTDIR}
mirror=${OCIRUN_VM_MIRROR:-http://deb.debian.org/debian}
mkdir -p "$out"
root="$out/root"
rm -rf "$root"

packages=(
  # the host: systemd as PID 1, a kernel and an initramfs tool to boot it
  systemd systemd-sysv udev dbus dbus-user-session systemd-container linux-image-amd64
  initramfs-tools kmod procps util-linux iproute2 e2fsprogs
  # the runtimes and engines the guest tests compare or drive
  runc crun podman conmon containerd docker.io criu iptables
  # rootless containers, AppArmor, SELinux (its policy is loaded only when a set's kernel-args
  # boot with security=selinux; see run.sh)
  uidmap slirp4netns apparmor apparmor-utils selinux-policy-default selinux-utils policycoreutils
  # the tests' container rootfs and helpers
  busybox-static python3
)

# The default initramfs (MODULES=most) is ~36 MB and costs seconds of boot under emulation: list
# only what mounting a virtio ext4 root needs. The hook is in place before the kernel's postinst
# builds the initramfs, so it is built once.
essential_hook='
  mkdir -p "$1/etc/initramfs-tools/conf.d" "$1/etc/initramfs-tools/hooks"
  echo MODULES=list > "$1/etc/initramfs-tools/conf.d/ocirun-vm.conf"
  cat > "$1/etc/initramfs-tools/hooks/ocirun-vm" <<"HOOK"
#!/bin/sh
case "$1" in prereqs) exit 0 ;; esac
. /usr/share/initramfs-tools/hook-functions
for m in virtio_pci virtio_blk ext4; do force_load "$m"; done
HOOK
  chmod 0755 "$1/etc/initramfs-tools/hooks/ocirun-vm"
'

customize_hook='
  set -e
  # Without a machine-id, first-boot set-up waits for input on the console.
  systemd-machine-id-setup --root="$1" >/dev/null
  echo ocirun-guest > "$1/etc/hostname"
  printf "127.0.0.1 localhost ocirun-guest\n" > "$1/etc/hosts"
  : > "$1/etc/fstab"
  mkdir -p "$1/mnt/job"
  cat > "$1/usr/local/sbin/ocirun-job" <<"JOB"
#!/bin/sh
# Runs the job of this boot from the 9p share `job`, records its output and exit code there, and
# powers off whatever happens. "degraded" still counts as up.
systemctl is-system-running --wait >/dev/null 2>&1
if mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 job /mnt/job; then
  sh /mnt/job/job.sh > /mnt/job/output 2>&1
  echo $? > /mnt/job/exit-code
  sync
fi
systemctl poweroff
JOB
  chmod 0755 "$1/usr/local/sbin/ocirun-job"
  cat > "$1/etc/systemd/system/ocirun-job.service" <<"UNIT"
[Unit]
Description=ocirun VM test job
# A oneshot ordered after multi-user.target deadlocks the boot: this one starts with the others
# and waits for the system to be up itself.
[Service]
Type=simple
ExecStart=/usr/local/sbin/ocirun-job
StandardOutput=journal+console
StandardError=journal+console
[Install]
WantedBy=multi-user.target
UNIT
  chroot "$1" systemctl enable ocirun-job.service
  # Under emulation every unit costs seconds of boot: engines and AppArmor profiles start when a
  # test set starts them (systemctl start docker / apparmor); the rest is of no use to a test VM.
  for unit in docker.service docker.socket containerd.service apparmor.service \
      podman-auto-update.service podman-auto-update.timer podman-restart.service \
      podman-clean-transient.service e2scrub_reap.service e2scrub_all.timer apt-daily.timer \
      apt-daily-upgrade.timer fstrim.timer dpkg-db-backup.timer; do
    chroot "$1" systemctl disable --quiet "$unit" 2>/dev/null || true
  done
  chroot "$1" systemctl mask --quiet serial-getty@ttyS0.service getty@tty1.service \
    modprobe@drm.service modprobe@efi_pstore.service modprobe@dm_mod.service
  echo "enabled at boot: $(chroot "$1" systemctl list-unit-files --state=enabled --no-legend | cut -d" " -f1 | tr "\n" " ")"
  rm -rf "$1/var/cache/apt/archives"/*.deb "$1/var/lib/apt/lists"/*_Packages
'

mmdebstrap --variant=minbase --mode=root \
  --include="$(IFS=,; echo "${packages[*]}")" \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-include=/usr/share/locale/locale.alias' \
  --essential-hook="$essential_hook" \
  --customize-hook="$customize_hook" \
  bookworm "$root" "deb $mirror bookworm main"

kernel=$(ls "$root"/boot/vmlinuz-* | sort -V | tail -n1)
initrd=$(ls "$root"/boot/initrd.img-* | sort -V | tail -n1)
cp "$kernel" "$out/vmlinuz"
cp "$initrd" "$out/initrd.img"
rm -f "$out/disk.img"
mke2fs -q -t ext4 -L ocirun-guest -d "$root" "$out/disk.img" 6G
rm -rf "$root"
