# Shared by demo.sh and test.sh: installs what hactl's lab needs on Debian 12.
# shellcheck shell=sh

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

need_root() {
    if [ "$(id -u)" != 0 ]; then
        echo "$1 needs root: network namespaces, nftables and the conntrack table are root-only." >&2
        exit 1
    fi
}

# apt-get install whatever of the lab's tools is missing (nothing when all are present).
ensure_packages() {
    missing=""
    command -v ip >/dev/null 2>&1 || missing="$missing iproute2"
    command -v nft >/dev/null 2>&1 || missing="$missing nftables"
    command -v conntrack >/dev/null 2>&1 || missing="$missing conntrack"
    command -v conntrackd >/dev/null 2>&1 || missing="$missing conntrackd"
    command -v keepalived >/dev/null 2>&1 || missing="$missing keepalived"
    command -v sysctl >/dev/null 2>&1 || missing="$missing procps"
    command -v mvn >/dev/null 2>&1 || missing="$missing maven"
    command -v lintian >/dev/null 2>&1 || missing="$missing lintian"
    command -v systemd-analyze >/dev/null 2>&1 || missing="$missing systemd"
    command -v dpkg-deb >/dev/null 2>&1 || missing="$missing dpkg-dev"
    command -v debootstrap >/dev/null 2>&1 || missing="$missing debootstrap"
    command -v systemd-nspawn >/dev/null 2>&1 || missing="$missing systemd-container"
    if [ -n "$missing" ]; then
        say "installing:$missing"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        # keepalived/conntrackd must not start system-wide instances: the lab starts its own
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
        apt-get install -y -qq --no-install-recommends $missing >/dev/null
        rm -f /usr/sbin/policy-rc.d
    fi
}
