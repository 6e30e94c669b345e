#!/bin/sh
# Runs every hactl test: unit tests and the lab tests against the real kernel in network
# namespaces. Run as root on Debian 12 with a JDK 17 and Maven:  ./test.sh
set -eu
cd "$(dirname "$0")"
. scripts/lib.sh
need_root ./test.sh
ensure_packages
say "running all tests (mvn -B verify)"
exec mvn -B verify "$@"
