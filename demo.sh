#!/bin/sh
# The hactl demo: builds hactl and shows it working on a real kernel in a network namespace.
# Run as root on Debian 12 with a JDK 17 and Maven:  ./demo.sh
set -eu
cd "$(dirname "$0")"
. scripts/lib.sh
need_root ./demo.sh
ensure_packages

say "building hactl (about a minute on first run; Maven downloads its plugins once)"
mvn -B -DskipTests package dependency:build-classpath -pl test-lab -am \
    -Dmdep.outputFile=target/demo.classpath 2>&1 | grep --line-buffered -E '^\[INFO\] Building hactl|BUILD|ERROR' || true
[ -f test-lab/target/demo.classpath ] || { echo "build failed: run 'mvn -B package' to see why" >&2; exit 1; }

ns="hactl-demo-$$"
cleanup() { ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT INT TERM
say "creating network namespace $ns (a stand-in gateway)"
ip netns add "$ns"
ip -n "$ns" link set lo up
# a stateful ruleset, as on a firewall: it makes the kernel track this namespace's connections
ip netns exec "$ns" nft -f - <<'NFT'
table inet hactl_demo {
    chain input {
        type filter hook input priority filter; policy accept;
        ct state established,related counter accept
    }
}
NFT
ip netns exec "$ns" java -cp "test-lab/target/classes:$(cat test-lab/target/demo.classpath)" \
    io.hactl.lab.CtnetlinkDemo "${1:-100000}"
say "done: namespace $ns removed"
