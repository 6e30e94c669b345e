#!/bin/sh
# Runs every hactl test: unit tests and the lab tests against the real kernel in network
# namespaces. Run as root on Debian 12 with a JDK 17 and Maven:  ./test.sh
set -eu
cd "$(dirname "$0")"
. scripts/lib.sh
need_root ./test.sh
ensure_packages
# the systemd check's Debian 12 root file system (debootstrap, made once and cached) is built
# while Maven runs: it needs the mirror, not the build; niced, in a session of its own so that
# a failing build stops it
logs=$(mktemp -d /tmp/hactl-checks.XXXXXX)
setsid nice -n 10 sh packaging/src/systemd-test/rootfs.sh > "$logs/rootfs.log" 2>&1 &
rootfs_job=$!
trap 'kill -TERM -- "-$rootfs_job" 2>/dev/null || true' EXIT
say "running all tests (mvn -B verify): unit tests, lab tests in network namespaces, the package build"
mvn -B verify "$@"
if ! wait "$rootfs_job"; then
    # check-systemd.sh tries once more and fails with its own message
    echo "building the container's root file system failed:" >&2
    cat "$logs/rootfs.log" >&2
fi
trap - EXIT
# the two package checks side by side: one installs the package on this machine, the other boots
# it in a container of its own; each log is printed whole once both have ended
say "checking the Debian package (lintian, install, upgrade, remove, purge) and booting it under systemd in a Debian 12 container, side by side"
packaging/src/check-deb.sh > "$logs/deb.log" 2>&1 &
deb_check=$!
packaging/src/check-systemd.sh > "$logs/systemd.log" 2>&1 &
systemd_check=$!
failed=""
wait "$deb_check" || failed="$failed check-deb"
wait "$systemd_check" || failed="$failed check-systemd"
say "package check (packaging/src/check-deb.sh)"
cat "$logs/deb.log"
say "systemd container check (packaging/src/check-systemd.sh)"
cat "$logs/systemd.log"
rm -rf "$logs"
if [ -n "$failed" ]; then
    echo "FAILED:$failed" >&2
    exit 1
fi
