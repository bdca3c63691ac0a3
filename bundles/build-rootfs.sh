#!/usr/bin/env bash
# Builds bundles/rootfs: a minimal root filesystem around Debian's busybox-static, shared by the
# example bundles, the tests and the benchmarks. Nothing it makes is committed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rootfs="$here/rootfs"
busybox=${BUSYBOX:-/bin/busybox}

help_out=$("$busybox" --help 2>&1 || true)
if [[ "$help_out" != *BusyBox* ]]; then
  echo "build-rootfs: $busybox is not BusyBox; install busybox-static (apt-get install busybox-static)" >&2
  exit 1
fi
# ldd exits 1 for static binaries, so capture its words rather than piping under pipefail.
ldd_out=$(ldd "$busybox" 2>&1 || true)
if [[ "$ldd_out" != *"not a dynamic executable"* ]]; then
  echo "build-rootfs: $busybox is dynamically linked; the rootfs needs busybox-static" >&2
  exit 1
fi
stamp="$rootfs/.built-from"
want="$(stat -c '%s %Y' "$busybox") $(sha1sum "$0" | cut -c1-40)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then exit 0; fi

rm -rf "$rootfs"
mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,home,var/tmp,run}
chmod 1777 "$rootfs/tmp" "$rootfs/var/tmp"
install -m 0755 "$busybox" "$rootfs/bin/busybox"
for applet in $("$busybox" --list); do
  [ "$applet" = busybox ] && continue
  ln -sf /bin/busybox "$rootfs/bin/$applet"
done
cat > "$rootfs/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
PASSWD
cat > "$rootfs/etc/group" <<'GROUP'
root:x:0:
daemon:x:1:
tty:x:5:
nogroup:x:65534:
GROUP
echo "ocirun-rootfs" > "$rootfs/etc/hostname"
: > "$rootfs/etc/resolv.conf"
: > "$rootfs/etc/hosts"
echo "$want" > "$stamp"
echo "build-rootfs: $rootfs ($(ls "$rootfs/bin" | wc -l) applets)"
