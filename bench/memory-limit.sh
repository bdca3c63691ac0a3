#!/usr/bin/env bash
# The smallest memory limit (linux.resources.memory.limit, memory+swap the same) at which
# `run` of /bin/true succeeds, for ocirun and runc: a binary search in 64 KiB steps between
# 256 KiB and 64 MiB, where a limit counts as enough only when REPEAT runs in a row succeed
# (near the edge the charge varies from run to run).
#   MEMLIMIT_RUNTIMES="ocirun runc" (missing ones are skipped), REPEAT=3, OCIRUN=path.
#   bench/memory-limit.sh "RUNTIME --root DIR": that runtime only, the limit in bytes (bench/run.sh).
set -euo pipefail
unset NODE_EXTRA_CA_CERTS NODE_OPTIONS

REPO=$(cd "$(dirname "$0")/.." && pwd)
REPEAT=${REPEAT:-3}
STEP=$((64 * 1024))
[ "$(id -u)" = 0 ] || { echo "bench/memory-limit.sh: needs root (creates containers and cgroups)" >&2; exit 1; }
[ -e "$REPO/bundles/rootfs/bin/true" ] || { echo "bench/memory-limit.sh: no rootfs; run npm run rootfs" >&2; exit 1; }

WORK=$(mktemp -d /tmp/ocirun-memlimit.XXXXXX)
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
# runc wants an absolute, non-symlink root path; both runtimes get the same copy.
cp -a "$REPO/bundles/rootfs" "$WORK/rootfs"

# bundle LIMIT_BYTES: a bundle that runs /bin/true under that limit; prints its dir.
bundle() {
  local dir="$WORK/b-$1"
  mkdir -p "$dir"
  node -e '
    const fs = require("fs");
    const [src, dir, rootfs, limit] = process.argv.slice(1);
    const spec = JSON.parse(fs.readFileSync(src, "utf8"));
    spec.root = { path: rootfs, readonly: true };
    spec.process.args = ["/bin/true"];
    spec.process.terminal = false;
    spec.linux.resources = { ...spec.linux.resources, memory: { limit: Number(limit), swap: Number(limit) } };
    fs.writeFileSync(dir + "/config.json", JSON.stringify(spec));
  ' "$REPO/bundles/hello/config.json" "$dir" "$WORK/rootfs" "$1"
  echo "$dir"
}

n=0
# fits RUNTIME_CMD LIMIT: REPEAT runs in a row succeed; every container is deleted either way.
fits() {
  local rt=$1 limit=$2 dir i id ok=0
  dir=$(bundle "$limit")
  for ((i = 0; i < REPEAT; i++)); do
    n=$((n + 1))
    id="memlimit-$$-$n"
    if $rt run --bundle "$dir" "$id" </dev/null >/dev/null 2>&1; then ok=$((ok + 1)); fi
    $rt delete --force "$id" >/dev/null 2>&1 || true
    [ "$ok" = $((i + 1)) ] || break
  done
  [ "$ok" = "$REPEAT" ]
}

# smallest RUNTIME_CMD: binary search over multiples of STEP.
smallest() {
  local rt=$1 lo=$((4 * STEP)) hi=$((1024 * STEP)) mid
  fits "$rt" "$hi" || { echo "none up to $((hi / 1024 / 1024)) MiB"; return; }
  if fits "$rt" "$lo"; then echo "$lo"; return; fi
  while ((hi - lo > STEP)); do
    mid=$(((lo + hi) / 2 / STEP * STEP))
    if fits "$rt" "$mid"; then hi=$mid; else lo=$mid; fi
  done
  echo "$hi"
}

human() { awk -v b="$1" 'BEGIN { if (b ~ /^[0-9]+$/) printf "%d KiB (%.2f MiB)", b / 1024, b / 1048576; else printf "%s", b }'; }

# bench/run.sh form: one runtime command (with its --root) as the argument, bytes on the last line.
if [ $# -gt 0 ]; then
  smallest "$1"
  exit 0
fi

for name in ${MEMLIMIT_RUNTIMES:-ocirun runc}; do
  if [ "$name" = ocirun ]; then bin=${OCIRUN:-$REPO/bin/ocirun}; else bin=$(command -v "$name" || true); fi
  [ -n "$bin" ] && [ -x "$bin" ] || { echo "skipping $name: not installed" >&2; continue; }
  mkdir -p "$WORK/state/$name"
  result=$(smallest "$bin --root $WORK/state/$name")
  printf '%-7s smallest memory limit for run /bin/true: %s\n' "$name" "$(human "$result")"
done
