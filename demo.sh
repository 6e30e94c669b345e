#!/bin/sh
# The hactl demo: a firewall pair in network namespaces on this machine, hactl on both gateways
# running its own VRRPv3 (no keepalived), live TCP connections through the pair, a crash of the
# master, and the connections going on through the other gateway.
# Run as root on Debian 12 with a JDK 17 and Maven:  ./demo.sh [--keepalived] [CONNECTIONS]
#   --keepalived  keepalived runs VRRP on both gateways and hactl follows it (notify_fifo)
#   CONNECTIONS   live TCP connections through the pair (default 30)
set -eu
cd "$(dirname "$0")"
for arg in "$@"; do
    case "$arg" in
        --keepalived|[1-9]|[1-9][0-9]|[1-9][0-9][0-9]|[1-9][0-9][0-9][0-9]|[1-9][0-9][0-9][0-9][0-9]) ;;
        -h|--help) sed -n '2,7s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) echo "demo.sh: unknown argument: $arg (usage: ./demo.sh [--keepalived] [CONNECTIONS])" >&2; exit 2 ;;
    esac
done
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
