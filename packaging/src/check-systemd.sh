#!/bin/sh
# Boots the built package under a real systemd: a Debian 12 container (systemd-nspawn, systemd 252
# as its PID 1, a private network with keepalived on a veth pair), and checks what a gateway
# meets: an unconfigured or bad configuration refused with the config check's reason and no
# endless restarts; start to READY with its STATUS line; hactl status; a stop that is not a
# failure; keepalived's notify_fifo and track_file working across stop + start and restart; the
# watchdog killing a stopped daemon and systemd bringing it back; keepalived removed and hactl's
# own VRRP taking the address under the unit's sandbox; purge leaving nothing.
# The root file system is made once and cached (src/systemd-test/rootfs.sh). Every wait is
# bounded; the container goes away also on failure.
# Run as root: packaging/src/check-systemd.sh [DEB]   (default: the package in packaging/target)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
[ "$(id -u)" = 0 ] || { echo "check-systemd: needs root (systemd-nspawn)" >&2; exit 1; }
for tool in systemd-nspawn debootstrap nsenter; do
    command -v "$tool" >/dev/null || { echo "check-systemd: $tool missing (apt-get install systemd-container debootstrap)" >&2; exit 1; }
done
deb=${1:-$(ls target/hactl_*_all.deb 2>/dev/null | grep -v '+2_all' | head -1 || true)}
[ -n "$deb" ] && [ -f "$deb" ] || { echo "check-systemd: no package: run mvn -B package first" >&2; exit 1; }
# the exposure score systemd-analyze security must not exceed (the unit's hardening holds it)
max_exposure=3.0
logs="$here/target/systemd-test"
rm -rf "$logs"
mkdir -p "$logs"

t0=$(date +%s)
rootfs=$(sh src/systemd-test/rootfs.sh)
t_rootfs=$(date +%s)

ct=$(mktemp -d /tmp/hactl-systemd.XXXXXX)
nspawn=""
pid1=""
passed=0
cleanup() {
    if [ -n "$nspawn" ] && kill -0 "$nspawn" 2>/dev/null; then
        kill -TERM "$nspawn" 2>/dev/null || true   # nspawn powers the container off
        i=0
        while kill -0 "$nspawn" 2>/dev/null && [ $i -lt 60 ]; do sleep 0.5; i=$((i + 1)); done
        kill -KILL "$nspawn" 2>/dev/null || true
    fi
    if mountpoint -q "$ct/root" 2>/dev/null; then
        umount "$ct/root" 2>/dev/null || umount -l "$ct/root"
    fi
    rm -rf --one-file-system "$ct"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# a command inside the container, as its root, in all its namespaces; none may hang the test
in_ct() {
    timeout 180 nsenter -t "$pid1" -m -u -i -n -p -C -r -w env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"
}
pass() { passed=$((passed + 1)); echo "PASS: $*"; }
fail() {
    echo "FAIL: $*"
    if [ -n "$pid1" ]; then
        in_ct journalctl --no-pager -o short-monotonic -u hactl -u keepalived > "$logs/journal.txt" 2>&1 || true
        echo "--- last lines of the container's journal for hactl and keepalived ($logs/journal.txt):"
        tail -40 "$logs/journal.txt"
    fi
    echo "check-systemd: $passed passed, 1 failed"
    exit 1
}
# wait_for SECONDS COMMAND...: polls every half second until COMMAND succeeds; fails after SECONDS
wait_for() {
    limit=$1
    shift
    end=$(($(date +%s) + limit))
    until "$@" >/dev/null 2>&1; do
        [ "$(date +%s)" -lt "$end" ] || return 1
        sleep 0.5
    done
}
# the start limit counts every start; the unit may be unloaded already (then there is nothing to reset)
reset_failed() { in_ct systemctl reset-failed hactl.service 2>/dev/null || true; }
prop() { in_ct systemctl show -p "$1" --value hactl.service; }
unit_is() { [ "$(prop ActiveState)" = "$1" ]; }
journal_has() { in_ct journalctl --no-pager -o cat -u hactl.service | grep -qF -- "$1"; }
role() { in_ct hactl status --json 2>/dev/null | tr -d ' \n' | sed -n 's/.*"role":"\([A-Z]*\)".*/\1/p'; }
role_is() { [ "$(role)" = "$1" ]; }
uptime_at_least() {
    u=$(in_ct hactl status --json 2>/dev/null | tr -d ' \n' | sed -n 's/.*"uptimeSeconds":\([0-9]*\).*/\1/p')
    [ -n "$u" ] && [ "$u" -ge "$1" ]
}
vip_present() { in_ct ip -br addr show dev vrrp0 | grep -qF 10.77.0.100; }
vip_absent() { ! vip_present; }
master_with_vip() { vip_present && role_is MASTER; }
fault_without_vip() { vip_absent && role_is FAULT; }

# keepalived's track file and FIFO, as the running daemon and keepalived see them after $1
demote_round() {
    # past the daemon's start-up grace, when it writes its own verdict into the track file once
    wait_for 30 uptime_at_least 5 || fail "$1: hactl status does not answer"
    # a restarted daemon knows its role only from keepalived's next event: INIT until then
    wait_for 30 vip_present || fail "$1: keepalived not MASTER (no 10.77.0.100 on vrrp0)"
    in_ct sh -c 'echo 1 > /run/hactl/demote'
    wait_for 30 fault_without_vip || fail "$1: a 1 in the track file: keepalived's group in FAULT and hactl following (hactl: $(role))"
    in_ct sh -c 'echo 0 > /run/hactl/demote'
    wait_for 30 master_with_vip || fail "$1: a 0 in the track file: back to MASTER (hactl: $(role))"
    pass "$1: a 1 in the track file puts keepalived's group in FAULT and hactl follows through the FIFO; a 0 brings both back to MASTER"
}

echo "== systemd container test: $deb on $rootfs"
mkdir -p "$ct/upper" "$ct/work" "$ct/root"
# the cached root stays as made: the container writes into an overlay removed afterwards
mount -t overlay overlay -o "lowerdir=$rootfs,upperdir=$ct/upper,workdir=$ct/work" "$ct/root"
cp "$deb" "$ct/root/root/hactl.deb"
systemd-nspawn -b -D "$ct/root" --register=no --keep-unit --private-network -M "hactl-ct-$$" \
    --console=passive </dev/null >"$logs/console.txt" 2>&1 &
nspawn=$!
# nspawn's helper children come and go while it sets up: PID 1 is the child that runs systemd
find_pid1() { pid1=$(pgrep -P "$nspawn" -x systemd | head -1); [ -n "$pid1" ]; }
end=$(($(date +%s) + 30))
until find_pid1; do
    [ "$(date +%s)" -lt "$end" ] && kill -0 "$nspawn" 2>/dev/null || { cat "$logs/console.txt"; fail "systemd-nspawn did not start the container"; }
    sleep 0.5
done
booted() { s=$(in_ct systemctl is-system-running 2>/dev/null || true); [ "$s" = running ] || [ "$s" = degraded ]; }
wait_for 90 booted || fail "the container's systemd did not finish booting ($(in_ct systemctl is-system-running 2>&1 || true))"
pass "the container booted: $(in_ct systemctl --version | head -1) as PID 1"

# the sync link (the peer's end stays silent) and the link keepalived runs VRRP on
in_ct sh -c 'ip link add sync type veth peer name syncp && ip addr add 10.88.0.1/24 dev sync &&
    ip addr add 10.88.0.2/24 dev syncp && ip link add vrrp0 type veth peer name vrrp1 &&
    ip addr add 10.77.0.1/24 dev vrrp0 && for l in sync syncp vrrp0 vrrp1; do ip link set "$l" up; done'

in_ct dpkg -i /root/hactl.deb >"$logs/install.txt" 2>&1 || { cat "$logs/install.txt"; fail "dpkg -i"; }
in_ct rm -f /root/hactl.deb
pass "the package installs"

if in_ct timeout 60 systemctl start hactl.service 2>/dev/null; then fail "an unconfigured hactl started"; fi
wait_for 10 journal_has "sync.key-file:" || fail "no config check message in the journal after an unconfigured start"
pass "an unconfigured start is refused: $(in_ct journalctl --no-pager -o cat -u hactl.service | grep -F 'sync.key-file:' | head -1)"
in_ct systemctl stop hactl.service
reset_failed

in_ct hactl keygen >/dev/null
in_ct sh -c 'cat > /etc/hactl/hactl.yaml' <<'EOF'
node: { name: fw1 }
sync:
  local: 10.88.0.9
  peer: 10.88.0.2
  interface: sync
role:
  source: keepalived
  keepalived:
    notify-fifo: /run/hactl/keepalived.fifo
    track-file: /run/hactl/demote
    sync-group: G1
EOF
if in_ct timeout 60 systemctl start hactl.service 2>/dev/null; then fail "hactl started with a sync address not on this host"; fi
# an automatic restart over the limit leaves the unit failed with the start's own result
start_limit_hit() { unit_is failed && journal_has "Start request repeated too quickly"; }
wait_for 120 start_limit_hit || fail "a bad configuration is still restarting (NRestarts $(prop NRestarts), $(prop ActiveState), result $(prop Result))"
journal_has "sync.local: 10.88.0.9 is not an address of this host" || fail "the journal does not name the bad sync address"
in_ct systemctl list-jobs --no-legend | grep -q hactl && fail "a hactl job is still queued after the start limit"
pass "a bad configuration stops restarting after $(prop NRestarts) restarts (start limit), the reason in the journal"
reset_failed
in_ct sed -i 's/local: 10.88.0.9/local: 10.88.0.1/' /etc/hactl/hactl.yaml
in_ct hactl config check >/dev/null || fail "config check of the corrected configuration"

in_ct sh -c 'cat > /etc/keepalived/keepalived.conf' <<'EOF'
global_defs {
    router_id ct
    vrrp_version 3
    enable_script_security
    script_user root
    notify_fifo /run/hactl/keepalived.fifo
}
track_file hactl_demote {
    file /run/hactl/demote
    weight 0
}
vrrp_sync_group G1 {
    group {
        VI_1
        VI_2
    }
    track_file {
        hactl_demote weight 0
    }
}
vrrp_instance VI_1 {
    state BACKUP
    interface vrrp0
    virtual_router_id 61
    priority 150
    advert_int 1
    virtual_ipaddress {
        10.77.0.100/24
    }
}
vrrp_instance VI_2 {
    state BACKUP
    interface vrrp0
    virtual_router_id 62
    priority 150
    advert_int 1
    virtual_ipaddress {
        10.77.0.101/24
    }
}
EOF

in_ct timeout 90 systemctl enable --now hactl.service >/dev/null 2>&1 || fail "systemctl enable --now hactl"
unit_is active || fail "hactl not active after start ($(prop ActiveState))"
status=$(prop StatusText)
case "$status" in role\ *) ;; *) fail "no STATUS line from the daemon: '$status'" ;; esac
pass "a configured start reaches active (READY) with its STATUS line: $status"
mode=$(in_ct stat -c %a /var/cache/hactl)
[ "$mode" = 700 ] || fail "/var/cache/hactl has mode $mode, not 700"
pass "/var/cache/hactl stays 0700 under the running unit"
# a lone gateway's verdict is NOT OK (its peer is dead): status exits 1 then, 3 only when the
# daemon cannot be reached
rc=0
in_ct hactl status >"$logs/status.txt" 2>&1 || rc=$?
[ "$rc" -le 1 ] || { cat "$logs/status.txt"; fail "hactl status exits $rc"; }
grep -q '^VERDICT' "$logs/status.txt" || { cat "$logs/status.txt"; fail "hactl status shows no VERDICT line first"; }
grep -q 'role' "$logs/status.txt" || fail "hactl status shows no role"
pass "hactl status answers: $(grep -m1 -i 'role' "$logs/status.txt")"

in_ct timeout 60 systemctl start keepalived.service || fail "keepalived does not start"
demote_round "first start"

in_ct timeout 60 systemctl stop hactl.service
unit_is inactive || fail "after stop: $(prop ActiveState), result $(prop Result)"
[ "$(prop Result)" = success ] && [ "$(prop ExecMainStatus)" = 0 ] ||
    fail "stop: result $(prop Result), exit status $(prop ExecMainStatus)"
in_ct systemctl --failed --no-legend | grep -q hactl && fail "hactl listed by systemctl --failed after a stop"
in_ct test -p /run/hactl/keepalived.fifo || fail "stop removed keepalived's notify_fifo"
pass "stop: inactive, result success, exit status 0, the FIFO kept"
in_ct timeout 90 systemctl start hactl.service || fail "start after stop"
demote_round "stop + start"

# the first start listed the daemon's classes; the second dumps them into a class-data archive,
# niced and in the background, inside the unit's sandbox; the restart maps it
daemon_archive() { in_ct test -s /var/cache/hactl/daemon.jsa; }
wait_for 120 daemon_archive || fail "no /var/cache/hactl/daemon.jsa after the second start: $(in_ct ls /var/cache/hactl)"
in_ct timeout 90 systemctl restart hactl.service || fail "restart"
in_ct grep -q /var/cache/hactl/daemon.jsa "/proc/$(prop MainPID)/maps" || fail "the restarted daemon does not map its class-data archive"
pass "the daemon's class-data archive, dumped at its second start, is mapped after the restart"
demote_round "restart"

reset_failed
main=$(prop MainPID)
restarts=$(prop NRestarts)
in_ct kill -STOP "$main"
came_back() { m=$(prop MainPID); [ "$m" != 0 ] && [ "$m" != "$main" ] && unit_is active; }
wait_for 120 came_back || fail "the watchdog did not replace the stopped daemon (MainPID $(prop MainPID), $(prop ActiveState))"
journal_has "Watchdog timeout" || fail "no watchdog timeout in the journal"
[ "$(prop NRestarts)" -gt "$restarts" ] || fail "NRestarts did not grow"
pass "a SIGSTOPped daemon is killed by the watchdog and restarted (MainPID $main -> $(prop MainPID))"

# hactl's own VRRP, keepalived gone: the unit needs nothing of it, and its sandbox lets the
# daemon add the virtual address (netlink) and send the gratuitous ARPs (packet socket)
in_ct timeout 60 systemctl stop keepalived.service || fail "keepalived does not stop"
in_ct dpkg -P keepalived >"$logs/remove-keepalived.txt" 2>&1 || { cat "$logs/remove-keepalived.txt"; fail "dpkg -P keepalived"; }
in_ct sh -c 'cat > /etc/hactl/hactl.yaml' <<'EOF'
node: { name: fw1 }
sync:
  local: 10.88.0.1
  peer: 10.88.0.2
  interface: sync
role:
  source: vrrp
  vrrp:
    advert-interval: 100ms
    instances:
      - { name: VI_1, interface: vrrp0, vrid: 61, priority: 150, addresses: [10.77.0.100/24] }
EOF
in_ct hactl config check >/dev/null || fail "config check of the role.vrrp configuration"
reset_failed
in_ct timeout 90 systemctl restart hactl.service || fail "restart with role.source vrrp and no keepalived"
vrrp_json() { in_ct hactl status --json 2>/dev/null | tr -d ' \n'; }
announced() { vrrp_json | grep -q '"step":"announce"' && vrrp_json | grep -q '"ioErrors":0'; }
wait_for 30 master_with_vip || fail "hactl's VRRP without keepalived: not MASTER with 10.77.0.100 on vrrp0 (hactl: $(role))"
wait_for 10 announced || fail "hactl's VRRP sent no announcement or counted I/O errors: $(vrrp_json | grep -o '"vrrp":{.*' | head -c 600)"
in_ct sh -c 'command -v keepalived' >/dev/null && fail "keepalived is still installed"
unit_is active || fail "hactl not active with its own VRRP ($(prop ActiveState))"
pass "keepalived purged, hactl's own VRRP: active, MASTER with the virtual address, announced without I/O errors"

score=$(in_ct systemd-analyze security --no-pager hactl.service | sed -n 's/.*Overall exposure level for hactl.service: \([0-9.]*\).*/\1/p')
[ -n "$score" ] || fail "systemd-analyze security gave no score"
awk -v s="$score" -v m="$max_exposure" 'BEGIN { exit !(s <= m) }' || fail "exposure $score above $max_exposure"
pass "systemd-analyze security hactl: exposure $score (at most $max_exposure)"

in_ct test -L /etc/systemd/system/multi-user.target.wants/hactl.service || fail "no enable link before purge"
in_ct dpkg -P hactl >"$logs/purge.txt" 2>&1 || { cat "$logs/purge.txt"; fail "dpkg -P hactl"; }
in_ct systemctl --failed --no-legend | grep -q hactl && fail "hactl listed by systemctl --failed after purge"
left=$(in_ct find / -xdev \( -path /proc -o -path /sys -o -path /var/log/journal \) -prune -o -name '*hactl*' -print)
left="$left$(in_ct find /run -name '*hactl*' -not -path '/run/systemd/*' 2>/dev/null)"
in_ct test -e /etc/systemd/system/multi-user.target.wants/hactl.service ||
    in_ct test -L /etc/systemd/system/multi-user.target.wants/hactl.service && left="$left enable-link"
[ -z "$left" ] || fail "purge left: $left"
pass "purge of the running, enabled unit leaves no file, link or directory of hactl, and no failed unit"

in_ct journalctl --no-pager -o short-monotonic -u hactl -u keepalived > "$logs/journal.txt" 2>&1 || true
t_end=$(date +%s)
echo "systemd container test: rootfs $((t_rootfs - t0)) s, checks $((t_end - t_rootfs)) s, in all $((t_end - t0)) s"
echo "check-systemd: $passed passed, 0 failed"
