#!/usr/bin/env bash
# Writes a private podman configuration under DIR (storage, run state, events, networks all
# inside DIR) and prints the environment that makes podman use it:
#   eval "$(test/e2e/setup-podman.sh /tmp/pm [cgroupfs|systemd])"; podman --runtime "$PWD/bin/ocirun" run --rm IMAGE true
# cgroupfs (the default: there is no systemd on the development host) or systemd as the cgroup
# manager, and a file events log either way; vfs needs no kernel support;
# no network namespace setup (the tests need none). Run as an unprivileged user it sets up a
# rootless podman the same way (test/e2e/podman-rootless.test.ts). The ulimits: podman's defaults
# (nofile=1048576, nproc=4194304) exceed this machine's hard limits, so every create would fail.
set -euo pipefail
dir=$(mkdir -p "$1" && cd "$1" && pwd)
cgroup_manager=${2:-cgroupfs}
mkdir -p "$dir/root" "$dir/runroot" "$dir/tmp" "$dir/networks" "$dir/volumes"
cat > "$dir/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
netns = "none"
log_driver = "k8s-file"

[engine]
cgroup_manager = "$cgroup_manager"
events_logger = "file"
tmp_dir = "$dir/tmp"
volume_path = "$dir/volumes"
static_dir = "$dir/root/libpod"

[network]
network_config_dir = "$dir/networks"
CONF
cat > "$dir/storage.conf" <<CONF
[storage]
driver = "vfs"
graphroot = "$dir/root"
runroot = "$dir/runroot"
# An unprivileged podman reads this one instead of graphroot.
rootless_storage_path = "$dir/root"
CONF
cat > "$dir/registries.conf" <<'CONF'
unqualified-search-registries = []
CONF
echo "export CONTAINERS_CONF='$dir/containers.conf' CONTAINERS_STORAGE_CONF='$dir/storage.conf' CONTAINERS_REGISTRIES_CONF='$dir/registries.conf'"
