#!/usr/bin/env bash
# `npm run demo`: runs the example bundles with ocirun on the busybox rootfs this project builds.
# Uses a private state root so it never touches a system-wide /run/ocirun.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ocirun="$here/../bin/ocirun"
root=$(mktemp -d /tmp/ocirun-demo.XXXXXX)
id="demo-$$"
cleanup() {
  "$ocirun" --root "$root" delete --force "$id-sleep" >/dev/null 2>&1 || true
  rm -rf "$root"
}
trap cleanup EXIT

if [ "$(id -u)" != 0 ]; then
  echo "demo: ocirun needs root (namespaces, mounts, cgroups); run it as root" >&2
  exit 1
fi

echo "== ocirun run: hello"
"$ocirun" --root "$root" run --bundle "$here/hello" "$id-hello"

echo
echo "== ocirun run: what the container sees of itself"
"$ocirun" --root "$root" run --bundle "$here/shell" "$id-shell"

echo
echo "== the lifecycle: create, state, start, list, kill, delete"
"$ocirun" --root "$root" create --bundle "$here/sleep" "$id-sleep" </dev/null >/dev/null 2>&1
"$ocirun" --root "$root" state "$id-sleep"
"$ocirun" --root "$root" start "$id-sleep"
"$ocirun" --root "$root" list
"$ocirun" --root "$root" kill "$id-sleep" KILL
for _ in $(seq 50); do
  "$ocirun" --root "$root" state "$id-sleep" | grep -q '"stopped"' && break
  sleep 0.05
done
"$ocirun" --root "$root" delete "$id-sleep"
echo "deleted $id-sleep"
