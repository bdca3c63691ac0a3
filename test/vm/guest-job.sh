#!/bin/sh
# Runs inside the guest as /mnt/job/job.sh (started by ocirun-job.service, see build-image.sh):
# mounts the checkout where the host has it, installs the host's node and runs the requested
# sets with the guest vitest config. Its output and exit code go back to the job share.
set -u
. /mnt/job/job.env
echo "boot=$(cut -d' ' -f1 /proc/uptime)" > /mnt/job/timings
systemd-analyze blame > /mnt/job/boot-blame 2>&1
mkdir -p "$SRC"
# The host does not change the checkout during the run, so the guest may cache it (loose).
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 src "$SRC" || exit 3
install -m 0755 /mnt/job/node /usr/local/bin/node || exit 3
cd "$SRC" || exit 3
files=""
for s in $SETS; do files="$files test/guest/$s/"; done
start=$(cut -d' ' -f1 /proc/uptime)
# The serial console shows progress live on the host; the share keeps the whole output.
{
  OCIRUN_GUEST=1 node node_modules/vitest/vitest.mjs run --config test/guest/vitest.config.ts --configLoader runner \
    --reporter=verbose --reporter=json --outputFile.json=/mnt/job/report.json $files
  echo $? > /tmp/vitest-exit-code
} 2>&1 | tee /dev/ttyS0
rc=$(cat /tmp/vitest-exit-code)
end=$(cut -d' ' -f1 /proc/uptime)
echo "tests=$(echo "$end $start" | awk '{printf "%.1f", $1 - $2}')" >> /mnt/job/timings
exit "$rc"
