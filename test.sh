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
say "checking the Debian package (lintian, install, upgrade, remove, purge)"
packaging/src/check-deb.sh
say "booting the Debian package under systemd in a Debian 12 container (the root file system is cached)"
packaging/src/check-systemd.sh
