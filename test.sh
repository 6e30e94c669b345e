#!/bin/sh
# Runs every hactl test: unit tests and the lab tests against the real kernel in network
# namespaces. Run as root on Debian 12 with a JDK 17 and Maven:  ./test.sh
set -eu
cd "$(dirname "$0")"
. scripts/lib.sh
need_root ./test.sh
ensure_packages
say "running all tests (mvn -B verify): unit tests, lab tests in network namespaces, the package build"
mvn -B verify "$@"
# the two package checks side by side: one installs the package on this machine, the other boots
# it in a container of its own; each log is printed whole once both have ended
say "checking the Debian package (lintian, install, upgrade, remove, purge) and booting it under systemd in a Debian 12 container, side by side"
logs=$(mktemp -d /tmp/hactl-checks.XXXXXX)
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
