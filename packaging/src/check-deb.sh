#!/bin/sh
# Checks the built package the way an administrator meets it: lintian, install, the commands,
# systemd's view of the unit, keepalived's view of the example configuration and hook, an
# upgrade that keeps an edited conffile, remove, purge. Run as root (it installs the package on
# this machine and purges it again, also on failure). Usage: packaging/src/check-deb.sh
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
[ "$(id -u)" = 0 ] || { echo "check-deb: needs root (dpkg -i)" >&2; exit 1; }
deb=$(ls target/hactl_*_all.deb | grep -v '+2_all' | head -1)
[ -f "$deb" ] || { echo "check-deb: no package: run mvn -B package first" >&2; exit 1; }
ns=hactl-debcheck-$$
cleanup() {
    dpkg -P hactl >/dev/null 2>&1 || true
    ip netns del "$ns" 2>/dev/null || true
    rm -f /tmp/hactl-vrrp.yaml
}
trap cleanup EXIT INT TERM
step() { printf '\n== package check: %s\n' "$*"; }
fail() { echo "PACKAGE CHECK FAILED: $*" >&2; exit 1; }

step "lintian $deb"
out=$(lintian --tag-display-limit 0 "$deb" 2>&1 | grep -v 'running with root privileges' || true)
echo "$out"
echo "$out" | grep -q '^E:' && fail "lintian reports errors"
# each warning must be listed with its reason in packaging/README.md
for tag in $(echo "$out" | sed -n 's/^W: hactl: \([a-z0-9-]*\).*/\1/p' | sort -u); do
    grep -q "$tag" README.md || fail "lintian warning $tag is neither fixed nor explained in packaging/README.md"
done

step "install"
dpkg -i "$deb"
[ -x /usr/bin/hactl ] || fail "/usr/bin/hactl missing"
hactl version | grep -q '^hactl ' || fail "hactl version"
ls /var/cache/hactl/version.classlist.* >/dev/null 2>&1 || fail "the first hactl version listed no classes"
hactl version | grep -q '^hactl ' || fail "hactl version, dumping its class-data archive in the background"
timeout 60 sh -c 'until [ -s /var/cache/hactl/version.jsa ]; do sleep 0.1; done' \
    || fail "no class-data archive 60 s after the second hactl version: $(ls /var/cache/hactl)"
# -Xshare:on: the JVM refuses to start if it cannot map the archive for the launcher's class path
java -Xshare:on -XX:SharedArchiveFile=/var/cache/hactl/version.jsa -XX:+UseSerialGC -Xint \
    -cp '/usr/share/hactl/lib/*' io.hactl.controller.cli.HactlMain version | grep -q '^hactl ' \
    || fail "the JVM does not map the class-data archive"
hactl version | grep -q '^hactl ' || fail "hactl version with its class-data archive"
[ "$(ls /var/cache/hactl)" = version.jsa ] || fail "the cache holds more than the archive: $(ls /var/cache/hactl)"
stat -c '%U %a' /usr/lib/hactl/keepalived-notify | grep -q '^root 755$' || fail "hook not root-owned 0755"

step "hactl config check refuses the unconfigured default (no key yet, a sync address not here)"
if hactl config check > /tmp/hactl-check.out 2>&1; then fail "config check passed without a key"; fi
cat /tmp/hactl-check.out
grep -q 'sync.key-file' /tmp/hactl-check.out || fail "config check did not name the key file"
hactl keygen >/dev/null
# the default's sync address is not on this machine: refused until the namespace below has it
if hactl config check > /tmp/hactl-check.out 2>&1; then fail "config check passed a sync address not on this host"; fi
grep -q 'sync.local: 192.0.2.1 is not an address of this host' /tmp/hactl-check.out || fail "config check did not name sync.local"
grep -q 'sync.key-file' /tmp/hactl-check.out && fail "config check still complains about the key after keygen"
ip netns add "$ns"
ip -n "$ns" link add sync type veth peer name sync-p
ip -n "$ns" addr add 192.0.2.1/24 dev sync
ip netns exec "$ns" hactl config check || fail "config check after keygen, with the sync address configured"

step "systemd-analyze verify hactl.service"
systemd-analyze verify /lib/systemd/system/hactl.service 2>&1 | grep -v "Command 'man " | tee /tmp/hactl-verify.out
grep -qi 'error\|not executable\|unknown' /tmp/hactl-verify.out && fail "systemd-analyze verify complains"

step "nothing requires keepalived: hactl's own VRRP needs none"
dpkg-deb -f "$deb" Depends Pre-Depends | grep -q keepalived && fail "the package depends on keepalived"
grep -Eq '^(Requires|BindsTo|Requisite|PartOf|Wants|Upholds)=.*keepalived' /lib/systemd/system/hactl.service \
    && fail "the unit requires keepalived"
for ifname in lan wan; do ip -n "$ns" link add "$ifname" type veth peer name "$ifname-p"; ip -n "$ns" link set "$ifname" up; done
# the example's role.vrrp block uncommented and its keepalived block removed, as its comment says
sed -e '/^  keepalived:/,/^  [^ ]/{/^  keepalived:/d;/^    /d;}' -e 's/^  source: keepalived /  source: vrrp       /' \
    -e 's/^  #\(vrrp:\|  \)/  \1/' /etc/hactl/hactl.yaml > /tmp/hactl-vrrp.yaml
grep -q '^  source: vrrp' /tmp/hactl-vrrp.yaml && grep -q '^  vrrp:' /tmp/hactl-vrrp.yaml || fail "the example has no role.vrrp block to uncomment"
ip netns exec "$ns" hactl config check --config /tmp/hactl-vrrp.yaml || fail "config check refused the example's role.vrrp"

step "keepalived -t accepts the example configuration with the installed hook"
sed 's|^    # notify /usr/lib/hactl/keepalived-notify|    notify /usr/lib/hactl/keepalived-notify|' \
    /usr/share/doc/hactl/examples/keepalived.conf > /tmp/hactl-keepalived.conf
grep -q '^    notify /usr/lib/hactl/keepalived-notify' /tmp/hactl-keepalived.conf || fail "example has no hook line to enable"
ip netns exec "$ns" keepalived -t -f /tmp/hactl-keepalived.conf || fail "keepalived -t refused the example"
run=$(timeout 3 ip netns exec "$ns" keepalived -n -l -P -f /tmp/hactl-keepalived.conf -p /tmp/hactl-k.pid \
    -r /tmp/hactl-v.pid 2>&1 || true)
echo "$run" | grep -q 'Unsafe permissions' && fail "keepalived refuses the installed hook: $run"

step "upgrade to a rebuilt newer version keeps the edited conffile"
echo "# edited by the administrator" >> /etc/hactl/hactl.yaml
sh src/build-deb.sh 0.1.0-SNAPSHOT '0.1.0~snapshot+2' >/dev/null
dpkg -i --force-confold target/hactl_0.1.0~snapshot+2_all.deb
dpkg-query -W -f '${Version}' hactl | grep -q '+2' || fail "upgrade did not install the newer version"
grep -q 'edited by the administrator' /etc/hactl/hactl.yaml || fail "upgrade lost the edited conffile"
[ -f /etc/hactl/sync.key ] || fail "upgrade lost the key"
[ -z "$(ls /var/cache/hactl)" ] || fail "upgrade kept class lists or archives of the previous version: $(ls /var/cache/hactl)"

step "remove keeps the configuration, purge removes everything, the enable link too"
systemctl enable hactl.service 2>&1
[ -L /etc/systemd/system/multi-user.target.wants/hactl.service ] || fail "systemctl enable made no link"
dpkg -r hactl
[ ! -e /usr/bin/hactl ] || fail "remove left /usr/bin/hactl"
[ -f /etc/hactl/hactl.yaml ] || fail "remove took the conffile"
dpkg -P hactl
for p in /etc/hactl /var/cache/hactl /usr/share/hactl /usr/lib/hactl /lib/systemd/system/hactl.service \
        /etc/systemd/system/multi-user.target.wants/hactl.service \
        /var/lib/systemd/deb-systemd-helper-enabled/hactl.service.dsh-also; do
    [ ! -e "$p" ] && [ ! -L "$p" ] || fail "purge left $p"
done
rm -f target/hactl_0.1.0~snapshot+2_all.deb
echo
echo "package check: OK"
