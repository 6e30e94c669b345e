package io.hactl.lab.vrrp;

import io.hactl.sync.lab.Netns;

/**
 * The lab topology of the VRRP network tests: two nodes, each a fresh network namespace, on one
 * veth pair. Addresses are fixed and usable at once (duplicate address detection off, the
 * link-local addresses set by hand); B takes gratuitous ARP and unsolicited neighbor
 * advertisements for addresses it has never seen (arp_accept; accept_untracked_na, which needs
 * IPv6 forwarding on), so that an announcement shows in its neighbour table.
 *
 * <pre>
 * A vna0 02:00:00:77:00:0a  10.77.0.1/24  fe80::a/64  ---  vnb0 02:00:00:77:00:0b  10.77.0.2/24  fe80::b/64 B
 * </pre>
 */
final class VnLink implements AutoCloseable {
    static final String A_IF = "vna0";
    static final String B_IF = "vnb0";
    static final String A_MAC = "02:00:00:77:00:0a";
    static final String B_MAC = "02:00:00:77:00:0b";
    static final String A_V4 = "10.77.0.1";
    static final String B_V4 = "10.77.0.2";
    static final String A_LL = "fe80::a";
    static final String B_LL = "fe80::b";

    final Netns a;
    final Netns b;

    private VnLink(Netns a, Netns b) {
        this.a = a;
        this.b = b;
    }

    static VnLink create() {
        Netns a = Netns.create("vna");
        Netns b = null;
        try {
            b = Netns.create("vnb");
            a.exec("ip", "link", "add", A_IF, "address", A_MAC, "type", "veth", "peer", "name", B_IF,
                    "address", B_MAC, "netns", b.name());
            configure(a, A_IF, A_V4, A_LL);
            configure(b, B_IF, B_V4, B_LL);
            b.exec("sysctl", "-qw", "net.ipv4.conf." + B_IF + ".arp_accept=1");
            // the kernel creates an entry from an untracked NA only on a router (RFC 9131)
            b.exec("sysctl", "-qw", "net.ipv6.conf." + B_IF + ".forwarding=1");
            b.exec("sysctl", "-qw", "net.ipv6.conf." + B_IF + ".accept_untracked_na=1");
            return new VnLink(a, b);
        } catch (RuntimeException e) {
            a.close();
            if (b != null) {
                b.close();
            }
            throw e;
        }
    }

    private static void configure(Netns ns, String ifname, String v4, String linkLocal) {
        ns.exec("sysctl", "-qw", "net.ipv6.conf." + ifname + ".accept_dad=0");
        ns.exec("ip", "link", "set", ifname, "addrgenmode", "none");
        ns.exec("ip", "addr", "add", v4 + "/24", "dev", ifname);
        ns.exec("ip", "addr", "add", linkLocal + "/64", "dev", ifname, "nodad");
        ns.exec("ip", "link", "set", ifname, "up");
    }

    @Override
    public void close() {
        a.close();
        b.close();
    }
}
