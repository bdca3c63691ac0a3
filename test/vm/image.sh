#!/usr/bin/env bash
# The guest image cache. Sourced by run.sh (vm_image_acquire), or run directly to build the image
# and print its directory.
#
# The image lives in ${OCIRUN_VM_CACHE:-/var/cache/ocirun-vm}/<key>/ (disk.img, vmlinuz,
# initrd.img), never in the checkout; <key> is a hash of build-image.sh, so editing the build
# script builds a new image. <key>.lock serializes builders and is held shared by every VM that
# boots the image, so a build of a newer key removes only the older images nobody is using.

vm_image_key() {
  sha256sum "$(dirname "${BASH_SOURCE[0]}")/build-image.sh" | cut -c1-16
}

# Sets VM_IMAGE_DIR and leaves file descriptor 9 holding a shared lock on the image until the
# caller exits. Returns 77 with a message when this machine cannot build it.
vm_image_acquire() {
  local here cache key dir tmp log old
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  cache=${OCIRUN_VM_CACHE:-/var/cache/ocirun-vm}
  key=$(vm_image_key)
  dir="$cache/$key"
  mkdir -p "$cache"
  exec 9>>"$cache/$key.lock"
  # Shared first: a built image is used by many VMs at once, and an exclusive request would wait
  # for every running one. Only a missing image takes the lock exclusively, and looks again.
  flock -s 9
  if [ ! -f "$dir/ready" ]; then flock 9; fi
  if [ ! -f "$dir/ready" ]; then
    if ! command -v mmdebstrap >/dev/null; then
      echo "vm: mmdebstrap is not installed, so the guest image cannot be built (Debian: apt-get install mmdebstrap)" >&2
      return 77
    fi
    if [ "$(id -u)" != 0 ]; then
      echo "vm: building the guest image needs root (mmdebstrap --mode=root)" >&2
      return 77
    fi
    tmp="$cache/$key.building"
    log="$cache/$key.build.log"
    rm -rf "$tmp"
    echo "vm: building the guest image $dir (log: $log)" >&2
    local start=$SECONDS
    if ! bash "$here/build-image.sh" "$tmp" >"$log" 2>&1; then
      tail -n 20 "$log" >&2
      echo "vm: the guest image build failed (log: $log)" >&2
      rm -rf "$tmp"
      return 77
    fi
    echo "$((SECONDS - start))" > "$tmp/build-seconds"
    touch "$tmp/ready"
    mv "$tmp" "$dir"
    echo "vm: guest image built in $((SECONDS - start)) s" >&2
    for old in "$cache"/*.lock; do
      [ "$old" = "$cache/$key.lock" ] && continue
      if flock -n "$old" rm -rf "${old%.lock}" "${old%.lock}.build.log"; then rm -f "$old"; fi
    done
  fi
  flock -s 9
  VM_IMAGE_DIR=$dir
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  vm_image_acquire
  echo "$VM_IMAGE_DIR"
fi
