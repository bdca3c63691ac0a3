#!/usr/bin/env bash
# Writes a containerd configuration whose socket, root and state all live under DIR. It starts
# nothing: it prints how to start the daemon and exports CONTAINERD_ADDRESS for ctr:
#   eval "$(test/e2e/setup-containerd.sh /tmp/ctd)"
#   containerd --config /tmp/ctd/config.toml &
#   ctr run --runc-binary "$PWD/bin/ocirun" --snapshotter native IMAGE ID ...
# The CRI plugin (kubelet's API) and snapshotters this machine cannot use are disabled.
set -euo pipefail
dir=$(mkdir -p "$1" && cd "$1" && pwd)
mkdir -p "$dir/root" "$dir/state"
cat > "$dir/config.toml" <<CONF
version = 2
root = "$dir/root"
state = "$dir/state"
disabled_plugins = [
  "io.containerd.grpc.v1.cri",
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs",
]

[grpc]
  address = "$dir/containerd.sock"

[ttrpc]
  address = "$dir/containerd.sock.ttrpc"

[debug]
  address = ""
CONF
echo "# containerd --config '$dir/config.toml' &"
echo "export CONTAINERD_ADDRESS='$dir/containerd.sock'"
