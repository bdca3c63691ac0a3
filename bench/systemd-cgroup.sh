#!/usr/bin/env bash
# What the systemd cgroup driver costs: `run` of /bin/true with and without --systemd-cgroup,
# ocirun and runc side by side in one hyperfine run (the D-Bus library's load, StartTransientUnit
# and its job, StopUnit), and the memory a waiting init is charged in its cgroup under each
# driver (under systemd the init joins its scope before its set-up work; see README, Design).
# Needs root on a cgroup v2 host with systemd as PID 1, e.g. the guest of test/vm:
#   bash bench/systemd-cgroup.sh            HYPERFINE=path BENCH_RUNS=20 OCIRUN=path
set -euo pipefail
unset NODE_EXTRA_CA_CERTS NODE_OPTIONS
REPO=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${BENCH_RUNS:-20}
HF=${HYPERFINE:-hyperfine}
OCI=${OCIRUN:-$REPO/bin/ocirun}
[ "$(id -u)" = 0 ] || { echo "bench/systemd-cgroup.sh: needs root" >&2; exit 1; }
[ -d /run/systemd/system ] || { echo "bench/systemd-cgroup.sh: systemd is not PID 1 here" >&2; exit 1; }
command -v "$HF" >/dev/null || { echo "bench/systemd-cgroup.sh: hyperfine not found (HYPERFINE=path)" >&2; exit 1; }
command -v runc >/dev/null || { echo "bench/systemd-cgroup.sh: runc is not installed" >&2; exit 1; }

WORK=$(mktemp -d /tmp/ocirun-sd-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cp -a "$REPO/bundles/rootfs" "$WORK/rootfs"
mkdir -p "$WORK/true" "$WORK/sleep"
node -e '
  const fs = require("node:fs");
  const [src, work] = process.argv.slice(1);
  for (const [dir, args] of [["true", ["/bin/true"]], ["sleep", ["/bin/sleep", "3600"]]]) {
    const c = JSON.parse(fs.readFileSync(src, "utf8"));
    c.root.path = `${work}/rootfs`;
    c.process.args = args;
    delete c.linux.cgroupsPath;
    fs.writeFileSync(`${work}/${dir}/config.json`, JSON.stringify(c));
  }' "$REPO/bundles/hello/config.json" "$WORK"

id=sdb$$
"$HF" --warmup 2 --runs "$RUNS" -N --export-markdown "$WORK/run.md" \
  -n "ocirun run" "$OCI --root $WORK/o run -b $WORK/true $id" \
  -n "ocirun --systemd-cgroup run" "$OCI --root $WORK/o --systemd-cgroup run -b $WORK/true $id" \
  -n "runc run" "runc --root $WORK/r run -b $WORK/true $id" \
  -n "runc --systemd-cgroup run" "runc --root $WORK/r --systemd-cgroup run -b $WORK/true $id" >&2
cat "$WORK/run.md"

# A created container: its init waits at the start gate, charged to its cgroup what it touched
# since it joined.
charged() { # RUNTIME FLAGS... -> memory.current of the waiting init's cgroup, in KiB
  local rt=$1; shift
  "$rt" --root "$WORK/m" "$@" create -b "$WORK/sleep" "$id-m" >/dev/null
  local pid; pid=$("$rt" --root "$WORK/m" state "$id-m" | node -e 'process.stdout.write(String(JSON.parse(require("fs").readFileSync(0, "utf8")).pid))')
  local cg; cg=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
  echo $(( $(cat "/sys/fs/cgroup$cg/memory.current") / 1024 ))
  "$rt" --root "$WORK/m" delete --force "$id-m" >/dev/null
}
echo
echo "| waiting init, charged to its cgroup | cgroupfs | systemd |"
echo "|---|---|---|"
echo "| ocirun | $(charged "$OCI") KiB | $(charged "$OCI" --systemd-cgroup) KiB |"
echo "| runc | $(charged runc) KiB | $(charged runc --systemd-cgroup) KiB |"
