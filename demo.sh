#!/bin/sh
# The hactl demo: a firewall pair in network namespaces on this machine, keepalived and hactl on
# both gateways, live TCP connections through the pair, a failover, and the connections going on.
# Run as root on Debian 12 with a JDK 17 and Maven:  ./demo.sh [CONNECTIONS]
set -eu
cd "$(dirname "$0")"
. scripts/lib.sh
need_root ./demo.sh
ensure_packages

say "building hactl (a minute or two on the first run: Maven fetches its plugins once)"
mvn -B -DskipTests package dependency:build-classpath -pl test-lab -am \
    -Dmdep.outputFile=target/demo.classpath -Dmdep.includeScope=test 2>&1 \
    | grep --line-buffered -E '^\[INFO\] Building hactl|BUILD|ERROR' || true
[ -f test-lab/target/demo.classpath ] || { echo "build failed: run 'mvn -B package' to see why" >&2; exit 1; }

exec java -cp "test-lab/target/test-classes:test-lab/target/classes:$(cat test-lab/target/demo.classpath)" \
    io.hactl.lab.pair.FailoverDemo "$@"
