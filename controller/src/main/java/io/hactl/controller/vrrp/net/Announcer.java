package io.hactl.controller.vrrp.net;

import io.hactl.sync.sys.Sockets;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Collection;
import java.util.Objects;

/**
 * Tells the link that this node now answers for the virtual addresses (RFC 9568 section 6.4.1):
 * a gratuitous ARP per IPv4 address, broadcast over an AF_PACKET socket from the interface's
 * MAC, and an unsolicited Neighbor Advertisement per IPv6 address to all nodes (ff02::1), hop
 * limit 255, over a raw ICMPv6 socket that receives nothing. {@link #announce} sends one round;
 * the caller schedules the repeats.
 */
public final class Announcer implements AutoCloseable {
    private static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};

    private final Link link;
    private final boolean router;
    private final RawSocket arp;
    private final RawSocket ndisc;
    private final byte[] linkBroadcast;
    private final byte[] allNodes;

    private Announcer(Link link, boolean router, RawSocket arp, RawSocket ndisc) {
        this.link = link;
        this.router = router;
        this.arp = arp;
        this.ndisc = ndisc;
        this.linkBroadcast = SockAddr.link(link.index(), Sockets.ETH_P_ARP, BROADCAST);
        this.allNodes = SockAddr.inet(allNodes(), link.index());
    }

    /**
     * Sockets for announcing on {@code link}, which must have a 6-octet (Ethernet) MAC;
     * {@code router} sets the R flag of the neighbor advertisements (a gateway's virtual
     * addresses are its hosts' router).
     */
    public static Announcer open(Link link, boolean router) throws NetException {
        Objects.requireNonNull(link, "link");
        if (link.mac().length != 6) {
            throw new NetException(link.name() + ": link-layer address of " + link.mac().length
                    + " octets; gratuitous ARP and neighbor advertisements need Ethernet");
        }
        RawSocket arp = null;
        RawSocket ndisc = null;
        try {
            // protocol 0: the socket sends but is handed no frames
            arp = RawSocket.open(link.name() + " gratuitous ARP", Sockets.AF_PACKET, Sockets.SOCK_DGRAM, 0);
            arp.bind(SockAddr.link(link.index(), 0, new byte[0]), link.name());
            ndisc = RawSocket.open(link.name() + " neighbor advertisement", Sockets.AF_INET6, Sockets.SOCK_RAW,
                    Sockets.IPPROTO_ICMPV6);
            ndisc.setBytes(Sockets.IPPROTO_ICMPV6, Sockets.ICMPV6_FILTER, blockAll(), "ICMPV6_FILTER block all");
            ndisc.bindToDevice(link.name());
            ndisc.setInt(Sockets.IPPROTO_IPV6, Sockets.IPV6_MULTICAST_HOPS, NeighborAdvert.HOP_LIMIT, "IPV6_MULTICAST_HOPS");
            ndisc.setInt(Sockets.IPPROTO_IPV6, Sockets.IPV6_MULTICAST_LOOP, 0, "IPV6_MULTICAST_LOOP");
            ndisc.setInt(Sockets.IPPROTO_IPV6, Sockets.IPV6_MULTICAST_IF, link.index(), "IPV6_MULTICAST_IF");
            return new Announcer(link, router, arp, ndisc);
        } catch (NetException | RuntimeException e) {
            if (arp != null) {
                arp.close();
            }
            if (ndisc != null) {
                ndisc.close();
            }
            throw e;
        }
    }

    /** struct icmp6_filter with every type blocked: this socket only sends. */
    private static byte[] blockAll() {
        byte[] filter = new byte[Sockets.ICMPV6_FILTER_LEN];
        Arrays.fill(filter, (byte) 0xFF);
        return filter;
    }

    private static InetAddress allNodes() {
        try {
            return InetAddress.getByName("ff02::1");
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("a literal address was refused", e);
        }
    }

    /**
     * Sends one gratuitous ARP or neighbor advertisement for each of {@code addresses}; returns
     * how many went out. A failure for one address does not keep the others from going out: the
     * first is thrown after all were tried.
     */
    public int announce(Collection<? extends InetAddress> addresses) throws NetException {
        byte[] mac = link.mac();
        NetException first = null;
        int sent = 0;
        for (InetAddress a : addresses) {
            try {
                if (a instanceof Inet4Address v4) {
                    arp.sendTo(ArpPacket.gratuitous(mac, v4).encode(), linkBroadcast, "broadcast for " + v4.getHostAddress());
                } else {
                    Inet6Address v6 = (Inet6Address) Inet6Address.getByAddress(null, a.getAddress(), -1);
                    ndisc.sendTo(NeighborAdvert.unsolicited(v6, mac, router).encode(), allNodes,
                            "ff02::1 for " + v6.getHostAddress());
                }
                sent++;
            } catch (NetException e) {
                if (first == null) {
                    first = e;
                }
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException("16 octets refused as an IPv6 address", e);
            }
        }
        if (first != null) {
            throw first;
        }
        return sent;
    }

    public Link link() {
        return link;
    }

    @Override
    public void close() {
        arp.close();
        ndisc.close();
    }
}
