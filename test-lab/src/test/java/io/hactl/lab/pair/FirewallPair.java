package io.hactl.lab.pair;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import io.hactl.sync.ctnetlink.Ctnl;
import io.hactl.sync.lab.Netns;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The lab topology: client -- LAN switch -- fw1 / fw2 -- WAN switch -- server, plus a direct sync
 * link between fw1 and fw2. Each box is a network namespace; the switches are bridges in a
 * namespace of their own, so nothing touches the host's network. The gateways forward with a
 * stateful nftables ruleset (forward policy drop, established/related accepted, new connections
 * only from the LAN) and {@code nf_conntrack_tcp_loose=0}, so a flow whose state is missing on
 * the gateway that carries it dies.
 *
 * <pre>
 * LAN 10.50.0.0/24: client .10, fw1 .2, fw2 .3, virtual address .1 (client's gateway)
 * WAN 10.60.0.0/24: server .10, fw1 .2, fw2 .3, virtual address .1 (server's gateway)
 * sync 10.99.0.0/24: fw1 .1, fw2 .2
 * </pre>
 */
public final class FirewallPair implements AutoCloseable {
    public static final String LAN_VIP = "10.50.0.1";
    public static final String WAN_VIP = "10.60.0.1";
    public static final String SERVER = "10.60.0.10";
    public static final String CLIENT = "10.50.0.10";

    public final Netns sw;
    public final Netns client;
    public final Netns fw1;
    public final Netns fw2;
    public final Netns server;
    private final List<Netns> all = new ArrayList<>();
    /** The switch side of each gateway port, by "namespace/interface". */
    private final java.util.Map<String, String> switchPorts = new java.util.HashMap<>();

    private FirewallPair(Netns sw, Netns client, Netns fw1, Netns fw2, Netns server) {
        this.sw = sw;
        this.client = client;
        this.fw1 = fw1;
        this.fw2 = fw2;
        this.server = server;
        all.addAll(List.of(sw, client, fw1, fw2, server));
    }

    public static FirewallPair create() {
        List<Netns> made = new ArrayList<>();
        try {
            Netns sw = add(made, "sw");
            Netns client = add(made, "cl");
            Netns fw1 = add(made, "fw1");
            Netns fw2 = add(made, "fw2");
            Netns server = add(made, "srv");
            FirewallPair p = new FirewallPair(sw, client, fw1, fw2, server);
            p.wire();
            return p;
        } catch (RuntimeException e) {
            made.forEach(Netns::close);
            throw e;
        }
    }

    private static Netns add(List<Netns> made, String prefix) {
        Netns n = Netns.create(prefix);
        made.add(n);
        return n;
    }

    private void wire() {
        sw.exec("ip", "link", "add", "br-lan", "type", "bridge");
        sw.exec("ip", "link", "add", "br-wan", "type", "bridge");
        sw.exec("ip", "link", "set", "br-lan", "up");
        sw.exec("ip", "link", "set", "br-wan", "up");
        port(client, "lan", "br-lan", "c");
        port(fw1, "lan", "br-lan", "l1");
        port(fw2, "lan", "br-lan", "l2");
        port(server, "wan", "br-wan", "s");
        port(fw1, "wan", "br-wan", "w1");
        port(fw2, "wan", "br-wan", "w2");
        // direct sync link
        fw1.exec("ip", "link", "add", "sync", "type", "veth", "peer", "name", "sync-peer");
        fw1.exec("ip", "link", "set", "sync-peer", "netns", fw2.name());
        fw2.exec("ip", "link", "set", "sync-peer", "name", "sync");
        addr(client, "lan", CLIENT + "/24");
        addr(fw1, "lan", "10.50.0.2/24");
        addr(fw2, "lan", "10.50.0.3/24");
        addr(server, "wan", SERVER + "/24");
        addr(fw1, "wan", "10.60.0.2/24");
        addr(fw2, "wan", "10.60.0.3/24");
        addr(fw1, "sync", "10.99.0.1/24");
        addr(fw2, "sync", "10.99.0.2/24");
        client.exec("ip", "route", "add", "default", "via", LAN_VIP);
        server.exec("ip", "route", "add", "default", "via", WAN_VIP);
        for (Netns fw : List.of(fw1, fw2)) {
            fw.exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
            fw.nft("""
                    table inet hactl_lab {
                      chain forward {
                        type filter hook forward priority filter; policy drop;
                        ct state established,related accept
                        ct state new iifname "lan" oifname "wan" accept
                        counter
                      }
                    }
                    """);
            // after the ruleset: the conntrack sysctls exist once conntrack is in use in the namespace
            fw.exec("sysctl", "-q", "-w", "net.netfilter.nf_conntrack_tcp_loose=0");
        }
    }

    private void port(Netns ns, String ifname, String bridge, String tag) {
        String outer = "v" + tag + Long.toHexString(System.nanoTime() & 0xfffff);
        sw.exec("ip", "link", "add", outer, "type", "veth", "peer", "name", ifname);
        sw.exec("ip", "link", "set", ifname, "netns", ns.name());
        sw.exec("ip", "link", "set", outer, "master", bridge);
        sw.exec("ip", "link", "set", outer, "up");
        switchPorts.put(ns.name() + "/" + ifname, outer);
    }

    private static void addr(Netns ns, String ifname, String cidr) {
        ns.exec("ip", "addr", "add", cidr, "dev", ifname);
        ns.exec("ip", "link", "set", ifname, "up");
    }

    /**
     * Sets a gateway's {@code nf_conntrack_tcp_loose} (a sysctl of the namespace): 1, the
     * kernel's and Debian's default, lets a mid-stream TCP packet without state start a new
     * conntrack entry; 0 (this lab's default) leaves it invalid.
     */
    public static void tcpLoose(Netns fw, boolean loose) {
        fw.exec("sysctl", "-q", "-w", "net.netfilter.nf_conntrack_tcp_loose=" + (loose ? 1 : 0));
    }

    /** A gateway's {@code nf_conntrack_tcp_loose}. */
    public static boolean tcpLoose(Netns fw) {
        return fw.exec("sysctl", "-n", "net.netfilter.nf_conntrack_tcp_loose").strip().equals("1");
    }

    /**
     * Source NAT on both gateways of what the LAN sends out of the WAN to the WAN virtual
     * address: the server sees the pair's address, not the client's. A pair translates to its
     * virtual address rather than masquerading to each gateway's own: the server answers the
     * address a flow was translated to, and after a failover only the virtual one still leads to
     * the master. Only traffic from the LAN is translated: the gateways' own packets out of the
     * WAN (VRRP adverts, whose checksum covers their source address) keep their address.
     */
    public void snatLanToWanVip() {
        for (Netns fw : List.of(fw1, fw2)) {
            fw.nft("""
                    table ip hactl_lab_nat {
                      chain postrouting {
                        type nat hook postrouting priority srcnat; policy accept;
                        oifname "wan" ip saddr 10.50.0.0/16 snat to %s
                      }
                    }
                    """.formatted(WAN_VIP));
        }
    }

    /** Whether {@code address} (IPv4 or IPv6, as {@code ip} prints it) is on {@code ifname} in {@code ns}. */
    public static boolean holds(Netns ns, String ifname, String address) {
        return ns.execRaw("ip", "-o", "addr", "show", "dev", ifname).output().contains(" " + address + "/");
    }

    /**
     * {@code n} (at most 2^24) idle flows to load into a gateway's kernel: ESTABLISHED TCP
     * 10.70.x.y:port -> {@link #SERVER}:443, an hour's timeout, that no packet touches.
     */
    public static List<Flow> idleFlows(int n) {
        List<Flow> out = new ArrayList<>(n);
        try {
            InetAddress server = InetAddress.getByName(SERVER);
            for (int i = 0; i < n; i++) {
                out.add(Flow.builder(Tuple.tcp(InetAddress.getByAddress(new byte[] {10, 70, (byte) (i >> 8), (byte) i}),
                                server, 20000 + (i >> 16), 443)).timeout(3600)
                        .status(Ctnl.IPS_SEEN_REPLY | Ctnl.IPS_ASSURED).protoInfo(TcpInfo.ofState(TcpInfo.ESTABLISHED))
                        .build());
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // literals: never
        }
        return out;
    }

    /** Cuts a gateway off both switches and the sync link (a crash, seen from the network). */
    public void unplug(Netns fw) {
        for (String ifname : List.of("lan", "wan", "sync")) {
            fw.execRaw("ip", "link", "set", ifname, "down");
        }
    }

    /** Brings an {@link #unplug}ged gateway's links back up. */
    public void plug(Netns fw) {
        for (String ifname : List.of("lan", "wan", "sync")) {
            fw.exec("ip", "link", "set", ifname, "up");
        }
    }

    /**
     * Takes a gateway's port off its switch ({@code lan} or {@code wan}): the gateway's link
     * stays up with its carrier (so its VRRP sees no fault), but it hears nobody there and nobody
     * hears it, as behind a broken switch or VLAN.
     */
    public void partition(Netns fw, String ifname) {
        sw.exec("ip", "link", "set", switchPort(fw, ifname), "nomaster");
    }

    /** Puts a port {@link #partition}ed back on its switch. */
    public void heal(Netns fw, String ifname) {
        sw.exec("ip", "link", "set", switchPort(fw, ifname), "master", "br-" + ifname);
    }

    private String switchPort(Netns fw, String ifname) {
        String outer = switchPorts.get(fw.name() + "/" + ifname);
        if (outer == null) {
            throw new IllegalArgumentException(fw.name() + " has no switch port " + ifname);
        }
        return outer;
    }

    /** Cuts the sync link (its end on fw1 goes down: both ends lose the carrier). */
    public void cutSync() {
        fw1.exec("ip", "link", "set", "sync", "down");
    }

    /** Brings the sync link {@link #cutSync cut} back. */
    public void healSync() {
        fw1.exec("ip", "link", "set", "sync", "up");
    }

    /**
     * Cuts a gateway off as a power loss would: the sync link first, so that what the gateway
     * does on seeing its LAN or WAN go down (keepalived's FAULT, hactl's hand-over to the peer)
     * no longer reaches the peer.
     */
    public void cutOffSyncFirst(Netns fw) {
        for (String ifname : List.of("sync", "lan", "wan")) {
            fw.execRaw("ip", "link", "set", ifname, "down");
        }
    }

    @Override
    public void close() {
        for (Netns n : all) {
            n.close();
        }
    }
}
