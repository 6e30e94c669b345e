#!/bin/sh
# Assembles packaging/target/hactl_<version>_all.deb from the built controller and its runtime
# class path (target/lib, copied by Maven), the hook and the files under src/.
# Usage: build-deb.sh MAVEN_VERSION [DEB_VERSION]
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "$here/.." && pwd)
mvn_version=$1
deb_version=${2:-$(printf '%s' "$mvn_version" | sed 's/-SNAPSHOT$/~snapshot/')}
[ -n "$deb_version" ] || deb_version=$(printf '%s' "$mvn_version" | sed 's/-SNAPSHOT$/~snapshot/')
stage="$here/target/deb"
rm -rf "$stage"
umask 022
install -d "$stage/DEBIAN" "$stage/usr/bin" "$stage/usr/share/hactl/lib" "$stage/etc/hactl" "$stage/etc/default" \
    "$stage/lib/systemd/system" "$stage/usr/lib/hactl" "$stage/usr/share/doc/hactl/examples" \
    "$stage/usr/share/man/man8" "$stage/usr/share/man/man5" "$stage/usr/share/bash-completion/completions"

install -m 0644 "$here"/target/lib/*.jar "$stage/usr/share/hactl/lib/"
install -m 0755 "$here/src/deb/hactl.launcher" "$stage/usr/bin/hactl"
install -m 0644 "$here/src/deb/hactl.yaml" "$stage/etc/hactl/hactl.yaml"
install -m 0644 "$here/src/deb/hactl.default" "$stage/etc/default/hactl"
install -m 0644 "$here/src/deb/hactl.service" "$stage/lib/systemd/system/hactl.service"
install -m 0755 "$root/hooks/src/keepalived-notify" "$stage/usr/lib/hactl/keepalived-notify"
install -m 0644 "$root/hooks/keepalived.conf.example" "$stage/usr/share/doc/hactl/examples/keepalived.conf"
install -m 0644 "$here/src/deb/hactl.yaml" "$stage/usr/share/doc/hactl/examples/hactl.yaml"
install -m 0644 "$here/src/deb/copyright" "$stage/usr/share/doc/hactl/copyright"
sed "s/@VERSION@/$deb_version/" "$here/src/man/hactl.8" | gzip -9n > "$stage/usr/share/man/man8/hactl.8.gz"
sed "s/@VERSION@/$deb_version/" "$here/src/man/hactl.yaml.5" | gzip -9n > "$stage/usr/share/man/man5/hactl.yaml.5.gz"
# completion scripts are sourced, not run: no #! line
sed '1{/^#!/d}' "$here/target/hactl_completion" > "$stage/usr/share/bash-completion/completions/hactl"
chmod 0644 "$stage/usr/share/bash-completion/completions/hactl"
{
    printf 'hactl (%s) unstable; urgency=medium\n\n' "$deb_version"
    printf '  * Build of hactl %s.\n\n' "$mvn_version"
    printf ' -- hactl developers <hactl@example.org>  %s\n' "$(LC_ALL=C date -R -d @"${SOURCE_DATE_EPOCH:-$(date +%s)}")"
} | gzip -9n > "$stage/usr/share/doc/hactl/changelog.gz"
chmod 0644 "$stage/usr/share/man/man8/hactl.8.gz" "$stage/usr/share/man/man5/hactl.yaml.5.gz" \
    "$stage/usr/share/doc/hactl/changelog.gz"

for f in postinst prerm postrm; do
    install -m 0755 "$here/src/deb/$f" "$stage/DEBIAN/$f"
done
install -m 0644 "$here/src/deb/conffiles" "$stage/DEBIAN/conffiles"
install -m 0644 "$here/src/deb/triggers" "$stage/DEBIAN/triggers"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s/@VERSION@/$deb_version/" -e "s/@SIZE@/$size/" "$here/src/deb/control" > "$stage/DEBIAN/control"
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | sort | xargs md5sum > DEBIAN/md5sums)
chmod 0644 "$stage/DEBIAN/md5sums"

out="$here/target/hactl_${deb_version}_all.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$out" >/dev/null
echo "built $out"
