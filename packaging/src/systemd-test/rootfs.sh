#!/bin/sh
# Prints the path of a Debian 12 root file system for the systemd container test, made once
# (debootstrap minbase + systemd, a Java 17 runtime and keepalived) and cached under
# /var/cache/hactl-test/rootfs-<hash of what it holds>, so reruns skip debootstrap.
# Uses this machine's Debian mirror. Usage: rootfs.sh   (as root; progress on stderr)
set -eu
cache=${HACTL_TEST_CACHE:-/var/cache/hactl-test}
packages="systemd systemd-sysv dbus iproute2 procps kmod openjdk-17-jre-headless keepalived"
mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p; s/^deb \(http[^ ]*debian\) bookworm .*/\1/p' \
    /etc/apt/sources.list /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
mirror=${mirror:-http://deb.debian.org/debian}
# the last item is the recipe's version: raise it when this script makes the root differently
key=$(printf '%s\n' bookworm minbase "$packages" 2 | sha256sum | cut -c1-12)
rootfs="$cache/rootfs-$key"
if [ -x "$rootfs/lib/systemd/systemd" ] && [ -x "$rootfs/usr/bin/java" ] && [ -e "$rootfs/.rootfs-complete" ]; then
    echo "$rootfs"
    exit 0
fi
mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.rootfs-$key.XXXXXX")
chmod 0755 "$tmp"   # it becomes the container's /
# --one-file-system: a /proc left mounted by an interrupted install is not walked into
trap 'umount "$tmp/proc" 2>/dev/null; rm -rf --one-file-system "$tmp"' EXIT INT TERM
echo "rootfs: debootstrap bookworm from $mirror into $tmp" >&2
# a bounded build: a mirror that stalls fails the test instead of hanging CI
timeout 900 debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,iproute2,procps,kmod \
    bookworm "$tmp" "$mirror" >&2
echo "rootfs: installing $packages" >&2
# policy-rc.d: keepalived is started by the test with its own configuration, not at install
printf '#!/bin/sh\nexit 101\n' > "$tmp/usr/sbin/policy-rc.d"
chmod 755 "$tmp/usr/sbin/policy-rc.d"
timeout 900 chroot "$tmp" sh -c 'mount -t proc proc /proc && trap "umount /proc" EXIT &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends '"$packages"' &&
    apt-get clean' >&2
rm -f "$tmp/usr/sbin/policy-rc.d"
# keepalived starts only when the test says so; the container's own getty is of no use here
chroot "$tmp" systemctl disable keepalived.service >/dev/null 2>&1 || true
chroot "$tmp" systemctl mask console-getty.service getty@.service >/dev/null 2>&1 || true
echo hactl-test > "$tmp/etc/hostname"
touch "$tmp/.rootfs-complete"
# a root made for another package list is of no further use
rm -rf "$rootfs" "$cache"/rootfs-*
mv "$tmp" "$rootfs"
trap - EXIT INT TERM
echo "$rootfs"
