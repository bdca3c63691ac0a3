#!/usr/bin/env bash
# Latency and memory benchmarks: ocirun against runc (and crun where installed), side by side in
# one hyperfine run per scenario, so both see the same machine state. Prints a markdown table of
# medians and ratios and writes it to bench/results/latest.md.
#   BENCH_RUNS=30 (runs per command), BENCH_LOOP=100 (the sequential-run scenario),
#   BENCH_RUNTIMES="ocirun runc crun" (which runtimes; missing ones are skipped),
#   OCIRUN=path (another ocirun build to compare, default bin/ocirun),
#   OCIRUN_BASELINE=path (a second ocirun build, "baseline", measured in the same runs: before/after).
# `run`, `state`, `exec` and `delete` also time `node -e 0`, the floor no Node program starts
# below, so the report can give ocirun's own work above it against runc's whole time.
set -euo pipefail
# Measured hermetically: an inherited NODE_EXTRA_CA_CERTS alone adds ~60 ms to every Node start.
unset NODE_EXTRA_CA_CERTS NODE_OPTIONS

REPO=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${BENCH_RUNS:-30}
LOOP=${BENCH_LOOP:-100}
[ "$(id -u)" = 0 ] || { echo "bench/run.sh: needs root (creates containers and cgroups)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "bench/run.sh: hyperfine is not installed" >&2; exit 1; }
[ -x "$REPO/bundles/rootfs/bin/busybox" ] || [ -x "$REPO/bundles/rootfs/bin/sh" ] || { echo "bench/run.sh: no rootfs; run npm run rootfs" >&2; exit 1; }

if [ -z "${OCIRUN:-}" ] && ! [ -f "$REPO/dist/cli/ocirun.cjs" ]; then
  echo "bench/run.sh: dist/cli/ocirun.cjs is missing (npm run build)" >&2
  exit 1
fi

WORK=$(mktemp -d /tmp/ocirun-bench.XXXXXX)
RUNTIMES=()
declare -A RT
for name in ${BENCH_RUNTIMES:-ocirun ${OCIRUN_BASELINE:+baseline} runc crun}; do
  case $name in
    ocirun) bin=${OCIRUN:-$REPO/bin/ocirun} ;;
    baseline) bin=${OCIRUN_BASELINE:-} ;;
    *) bin=$(command -v "$name" || true) ;;
  esac
  [ -n "$bin" ] && [ -x "$bin" ] || { echo "skipping $name: not installed" >&2; continue; }
  RUNTIMES+=("$name")
  RT[$name]="$bin --root $WORK/state/$name"
done

cleanup() {
  for name in "${RUNTIMES[@]}"; do
    for id in $(${RT[$name]} list -q 2>/dev/null); do ${RT[$name]} delete --force "$id" >/dev/null 2>&1 || true; done
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

# Bundles: the example config with another process, over a private copy of the rootfs (runc wants
# an absolute root path that is not a symlink).
cp -a "$REPO/bundles/rootfs" "$WORK/rootfs"
bundle() { # bundle DIR ARGS_JSON [CGROUPS_PATH]
  mkdir -p "$1"
  jq --arg root "$WORK/rootfs" --argjson args "$2" --arg cg "${3:-}" \
    '.root.path = $root | .process.args = $args | if $cg != "" then .linux.cgroupsPath = $cg else . end' \
    "$REPO/bundles/hello/config.json" > "$1/config.json"
}
bundle "$WORK/true" '["/bin/true"]'
bundle "$WORK/sleep" '["/bin/sleep","3600"]'

# Scenario scripts. Waiting for a detached init: it is re-parented away from us, so poll /proc
# (no sleep: the loop ends as soon as the pid is reaped).
cat > "$WORK/cycle.sh" <<'SH'
rt=$1; id=$2; b=$3; w=$4
exec 2>>"$w/errors.log"
$rt create -b "$b" --pid-file "$w/$id.pid" "$id"
$rt start "$id"
read -r pid < "$w/$id.pid"
while [ -e "/proc/$pid" ] && [ "$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null)" != Z ]; do :; done
$rt delete "$id"
SH
cat > "$WORK/up.sh" <<'SH'
rt=$1; id=$2; b=$3
exec 2>>"${0%/*}/errors.log"
$rt create -b "$b" "$id" && $rt start "$id"
SH
cat > "$WORK/loop.sh" <<'SH'
rt=$1; id=$2; b=$3; n=$4
for ((i = 0; i < n; i++)); do $rt run -b "$b" "$id" 2>>"${0%/*}/errors.log" || exit 1; done
SH

mkdir -p "$WORK/json" "$REPO/bench/results"
hf() { # hf SCENARIO [hyperfine args...]: one run, every runtime side by side
  local scenario=$1; shift
  echo "== $scenario" >&2
  : > "$WORK/errors.log"
  hyperfine -N --style basic --export-json "$WORK/json/$scenario.json" "$@" >&2 ||
    { echo "scenario $scenario failed:" >&2; tail -3 "$WORK/errors.log" >&2; }
}
cmds() { # cmds TEMPLATE: one -n/command pair per runtime; @RT@ and @NAME@ are substituted
  local name c
  for name in "${RUNTIMES[@]}"; do
    c=${1//@RT@/${RT[$name]}}; c=${c//@NAME@/$name}
    printf '%s\0%s\0%s\0' -n "$name" "$c"
  done
}

FLOOR=(-n floor "node -e 0")

mapfile -d '' args < <(cmds "@RT@ run -b $WORK/true run-@NAME@")
hf run -w 3 -r "$RUNS" "${args[@]}" "${FLOOR[@]}"

mapfile -d '' args < <(cmds "bash $WORK/cycle.sh '@RT@' cyc-@NAME@ $WORK/true $WORK")
hf create-start-wait-delete -w 3 -r "$RUNS" "${args[@]}"

# A running container for state and exec.
for name in "${RUNTIMES[@]}"; do bash "$WORK/up.sh" "${RT[$name]}" "up-$name" "$WORK/sleep"; done
mapfile -d '' args < <(cmds "@RT@ state up-@NAME@")
hf state -w 3 -r "$RUNS" "${args[@]}" "${FLOOR[@]}"

exec_cmds=()
for name in "${RUNTIMES[@]}"; do
  if ${RT[$name]} exec "up-$name" /bin/true >/dev/null 2>&1; then
    exec_cmds+=(-n "$name" "${RT[$name]} exec up-$name /bin/true")
  else
    echo "exec: $name cannot exec yet, n/a" >&2
  fi
done
[ ${#exec_cmds[@]} -gt 0 ] && hf exec -w 3 -r "$RUNS" "${exec_cmds[@]}" "${FLOOR[@]}"

prep=()
for name in "${RUNTIMES[@]}"; do prep+=(--prepare "bash $WORK/up.sh '${RT[$name]}' df-$name $WORK/sleep"); done
mapfile -d '' args < <(cmds "@RT@ delete --force df-@NAME@")
hf delete-force -r "$RUNS" "${prep[@]}" --prepare true "${args[@]}" "${FLOOR[@]}"

mapfile -d '' args < <(cmds "bash $WORK/loop.sh '@RT@' loop-@NAME@ $WORK/true $LOOP")
hf "run-x$LOOP" -w 1 -r 3 "${args[@]}"

# Memory, five samples each, medians: the peak RSS of the create process, and what the waiting
# init has charged to the container's memory cgroup after create returns.
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then memfile() { echo "/sys/fs/cgroup/$1/memory.current"; }
else memfile() { echo "/sys/fs/cgroup/memory/$1/memory.usage_in_bytes"; }; fi
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
: > "$WORK/memory.tsv"
for name in "${RUNTIMES[@]}"; do
  rss=(); charged=()
  for i in 1 2 3 4 5; do
    id="mem-$name-$i"; cg="/ocirun-bench-$$/$id"
    bundle "$WORK/mem-$id" '["/bin/sleep","3600"]' "$cg"
    if /usr/bin/time -f '%M' -o "$WORK/rss" ${RT[$name]} create -b "$WORK/mem-$id" "$id" >/dev/null; then
      rss+=("$(tail -1 "$WORK/rss")")
      charged+=("$(cat "$(memfile "$cg")")")
      ${RT[$name]} delete --force "$id" >/dev/null || true
    fi
  done
  [ ${#rss[@]} -gt 0 ] || { echo "memory: $name create failed" >&2; continue; }
  printf '%s\tcreate-max-rss-kib\t%s\n' "$name" "$(printf '%s\n' "${rss[@]}" | median)" >> "$WORK/memory.tsv"
  printf '%s\tinit-cgroup-charge-bytes\t%s\n' "$name" "$(printf '%s\n' "${charged[@]}" | median)" >> "$WORK/memory.tsv"
done
for d in /sys/fs/cgroup/*/ocirun-bench-$$ /sys/fs/cgroup/ocirun-bench-$$; do [ -d "$d" ] && rmdir "$d" 2>/dev/null || true; done

# The smallest memory limit under which `run` of /bin/true succeeds: bench/memory-limit.sh RUNTIME
# (a runtime command) prints it in bytes on its last stdout line.
if [ -f "$REPO/bench/memory-limit.sh" ]; then
  for name in "${RUNTIMES[@]}"; do
    v=$(bash "$REPO/bench/memory-limit.sh" "${RT[$name]}" 2>/dev/null | tail -1 || true)
    printf '%s\tmin-memory-limit-bytes\t%s\n' "$name" "${v:-n/a}" >> "$WORK/memory.tsv"
  done
fi

node "$REPO/bench/report.mjs" "$WORK/json" "$WORK/memory.tsv" "${RUNTIMES[*]}" "$LOOP" | tee "$REPO/bench/results/latest.md"
