package io.hactl.controller.vrrp.net;

import io.hactl.controller.vrrp.AdvertCodec;
import io.hactl.controller.vrrp.Advertisement;
import io.hactl.controller.vrrp.ChecksumMode;
import io.hactl.controller.vrrp.IpFamily;
import io.hactl.controller.vrrp.IpHeader;
import io.hactl.controller.vrrp.VrrpConstants;
import io.hactl.sync.sys.Sockets;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The VRRP sockets of one interface and address family (RFC 9568 section 5.1): raw sockets of IP
 * protocol 112 held to the interface with SO_BINDTODEVICE.
 * <ul>
 * <li>Sending: bound to this node's primary address (the advertisements' source, which the
 *     checksum and the peers' tie-break need), to the group 224.0.0.18 / ff02::12 or to each
 *     configured unicast peer, TTL / hop limit 255 (5.1.1.3, 5.1.2.3), no multicast loopback.</li>
 * <li>Receiving: joined to the group on the interface's index, unbound so that it gets both the
 *     group's and unicast packets. IPv4 raw sockets deliver the IP header, whose TTL is read
 *     from it; an IPv6 raw socket never does, so the hop limit and destination come as
 *     ancillary data (IPV6_RECVHOPLIMIT, IPV6_RECVPKTINFO).</li>
 * </ul>
 * {@link #receive} waits in poll(2) at most the given time, so the caller's thread can also run
 * the state machine's timers. A datagram too broken to carry an IP header is counted in
 * {@link #malformed()} and skipped, never thrown; judging the VRRP message is
 * {@link io.hactl.controller.vrrp.ReceiveCheck}'s. Every socket gets every VRRP packet of its
 * interface and family, whatever the VRID: open one per interface and family, shared by the
 * virtual routers there, as one {@code ReceiveCheck} serves them. One thread sends and receives.
 */
public final class VrrpSocket implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VrrpSocket.class);

    private final Link link;
    private final IpFamily family;
    private final InetAddress source;
    private final List<InetAddress> destinations;
    private final ChecksumMode checksumMode;
    private final RawSocket tx;
    private final RawSocket rx;
    private final AtomicLong malformed = new AtomicLong();

    private VrrpSocket(Link link, IpFamily family, InetAddress source, List<InetAddress> destinations,
            ChecksumMode checksumMode, RawSocket tx, RawSocket rx) {
        this.link = link;
        this.family = family;
        this.source = source;
        this.destinations = destinations;
        this.checksumMode = checksumMode;
        this.tx = tx;
        this.rx = rx;
    }

    /**
     * Opens the sockets for {@code link}, sending from {@code source} (for IPv6 the interface's
     * link-local address, 5.1.2.1) to the VRRP group, or to {@code unicastPeers} when there are
     * any, with checksums sealed in {@code checksumMode}. The interface must be up and hold
     * {@code source}.
     */
    public static VrrpSocket open(Link link, InetAddress source, List<InetAddress> unicastPeers,
            ChecksumMode checksumMode) throws NetException {
        Objects.requireNonNull(link, "link");
        Objects.requireNonNull(checksumMode, "checksumMode");
        IpFamily family = IpFamily.of(Objects.requireNonNull(source, "source"));
        for (InetAddress peer : unicastPeers) {
            if (!family.holds(peer)) {
                throw new IllegalArgumentException(link.name() + ": unicast peer " + peer.getHostAddress()
                        + " is not " + family + " like " + source.getHostAddress());
            }
        }
        InetAddress group = group(family);
        List<InetAddress> destinations = unicastPeers.isEmpty() ? List.of(group) : List.copyOf(unicastPeers);
        RawSocket tx = null;
        RawSocket rx = null;
        try {
            tx = openSender(link, family, source);
            rx = openReceiver(link, family, group);
            return new VrrpSocket(link, family, source, destinations, checksumMode, tx, rx);
        } catch (NetException | RuntimeException e) {
            if (tx != null) {
                tx.close();
            }
            if (rx != null) {
                rx.close();
            }
            throw e;
        }
    }

    private static RawSocket openSender(Link link, IpFamily family, InetAddress source) throws NetException {
        boolean v4 = family == IpFamily.IPV4;
        RawSocket s = RawSocket.open(link.name() + " VRRP " + family + " send", v4 ? Sockets.AF_INET : Sockets.AF_INET6,
                Sockets.SOCK_RAW, VrrpConstants.IP_PROTOCOL);
        try {
            s.bindToDevice(link.name());
            if (v4) {
                s.setInt(Sockets.IPPROTO_IP, Sockets.IP_TTL, VrrpConstants.IPV4_TTL, "IP_TTL");
                s.setInt(Sockets.IPPROTO_IP, Sockets.IP_MULTICAST_TTL, VrrpConstants.IPV4_TTL, "IP_MULTICAST_TTL");
                s.setInt(Sockets.IPPROTO_IP, Sockets.IP_MULTICAST_LOOP, 0, "IP_MULTICAST_LOOP");
                s.setBytes(Sockets.IPPROTO_IP, Sockets.IP_MULTICAST_IF, ipMreqn(null, link.index()), "IP_MULTICAST_IF");
            } else {
                s.setInt(Sockets.IPPROTO_IPV6, Sockets.IPV6_UNICAST_HOPS, VrrpConstants.IPV6_HOP_LIMIT, "IPV6_UNICAST_HOPS");
                s.setInt(Sockets.IPPROTO_IPV6, Sockets.IPV6_MULTICAST_HOPS, VrrpConstants.IPV6_HOP_LIMIT, "IPV6_MULTICAST_HOPS");
                s.setInt(Sockets.IPPROTO_IPV6, Sockets.IPV6_MULTICAST_LOOP, 0, "IPV6_MULTICAST_LOOP");
                s.setInt(Sockets.IPPROTO_IPV6, Sockets.IPV6_MULTICAST_IF, link.index(), "IPV6_MULTICAST_IF");
            }
            // the source may not be usable yet: an IPv6 link-local address is tentative for a
            // second after the link comes up (duplicate address detection), and at boot an
            // address may come a moment after the daemon. Bound anyway, the socket sends from it
            // once the kernel lets it; until then sends fail and are counted, the daemon runs.
            s.setInt(v4 ? Sockets.IPPROTO_IP : Sockets.IPPROTO_IPV6, v4 ? Sockets.IP_FREEBIND : Sockets.IPV6_FREEBIND, 1,
                    v4 ? "IP_FREEBIND" : "IPV6_FREEBIND");
            s.bind(SockAddr.inet(source, link.index()), source.getHostAddress());
            return s;
        } catch (NetException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private static RawSocket openReceiver(Link link, IpFamily family, InetAddress group) throws NetException {
        boolean v4 = family == IpFamily.IPV4;
        RawSocket s = RawSocket.open(link.name() + " VRRP " + family + " receive", v4 ? Sockets.AF_INET : Sockets.AF_INET6,
                Sockets.SOCK_RAW, VrrpConstants.IP_PROTOCOL);
        try {
            s.bindToDevice(link.name());
            // the kernel's receive time of each advertisement: the Master_Down_Timer counts from it
            s.setInt(Sockets.SOL_SOCKET, Sockets.SO_TIMESTAMPNS, 1, "SO_TIMESTAMPNS");
            if (v4) {
                s.setBytes(Sockets.IPPROTO_IP, Sockets.IP_ADD_MEMBERSHIP, ipMreqn(group, link.index()),
                        "IP_ADD_MEMBERSHIP " + group.getHostAddress());
            } else {
                s.setInt(Sockets.IPPROTO_IPV6, Sockets.IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT");
                s.setInt(Sockets.IPPROTO_IPV6, Sockets.IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO");
                s.setBytes(Sockets.IPPROTO_IPV6, Sockets.IPV6_ADD_MEMBERSHIP, ipv6Mreq(group, link.index()),
                        "IPV6_ADD_MEMBERSHIP " + group.getHostAddress());
            }
            return s;
        } catch (NetException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** struct ip_mreqn: multicast group (or any), local address (any), interface index. */
    static byte[] ipMreqn(InetAddress group, int index) {
        ByteBuffer b = ByteBuffer.allocate(Sockets.IP_MREQN_LEN).order(ByteOrder.nativeOrder());
        b.put(group == null ? new byte[4] : group.getAddress());  // imr_multiaddr
        b.put(new byte[4]);                                         // imr_address: INADDR_ANY
        b.putInt(index);                                            // imr_ifindex
        return b.array();
    }

    /** struct ipv6_mreq: multicast group, interface index. */
    static byte[] ipv6Mreq(InetAddress group, int index) {
        ByteBuffer b = ByteBuffer.allocate(Sockets.IPV6_MREQ_LEN).order(ByteOrder.nativeOrder());
        b.put(group.getAddress());  // ipv6mr_multiaddr
        b.putInt(index);            // ipv6mr_interface
        return b.array();
    }

    /** The VRRP group of {@code family} (5.1.1.2, 5.1.2.2). */
    public static InetAddress group(IpFamily family) {
        try {
            return InetAddress.getByName(family == IpFamily.IPV4 ? VrrpConstants.IPV4_GROUP : VrrpConstants.IPV6_GROUP);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a literal group address was refused", e);
        }
    }

    public Link link() {
        return link;
    }

    public IpFamily family() {
        return family;
    }

    public InetAddress source() {
        return source;
    }

    /** Where advertisements go: the group, or the unicast peers. */
    public List<InetAddress> destinations() {
        return destinations;
    }

    /**
     * Sends {@code advert} to every destination, each with the checksum it needs from this
     * socket's source to that destination.
     */
    public void send(Advertisement advert) throws NetException {
        if (advert.family() != family) {
            throw new IllegalArgumentException(link.name() + ": an " + advert.family() + " advertisement on the "
                    + family + " socket");
        }
        for (InetAddress to : destinations) {
            byte[] octets = AdvertCodec.encodeSealed(advert, source, to, checksumMode);
            tx.sendTo(octets, SockAddr.inet(to, link.index()), to.getHostAddress());
        }
    }

    /**
     * The next VRRP datagram, waiting at most {@code timeout}; null when none came in time.
     * Datagrams without a readable IP header are counted and skipped. One caller at a time (the
     * receive thread, and the loop reading what waits before a timer acts).
     */
    public synchronized Datagram receive(Duration timeout) throws NetException {
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        while (true) {
            if (!rx.receive(Duration.ofNanos(deadline - System.nanoTime()))) {
                return null;
            }
            Datagram d = family == IpFamily.IPV4 ? parseIpv4(rx.data()) : ipv6();
            if (d != null) {
                return new Datagram(d.header(), d.message(), rx.receivedAtNanos());
            }
            malformed.incrementAndGet();
        }
    }

    /**
     * Waits at most {@code timeout} until one of {@code sockets} has a datagram to read, so that
     * one thread can serve the sockets of several interfaces and families; returns those that
     * have (empty on timeout), each then read with {@code receive(Duration.ZERO)}.
     */
    public static List<VrrpSocket> awaitAny(List<VrrpSocket> sockets, Duration timeout) throws NetException {
        return awaitAny(sockets, -1, timeout).sockets();
    }

    /**
     * What {@link #awaitAny(List, int, Duration)} found readable: some of the sockets, and
     * whether the other one ({@code alsoFd}) was; the caller reads that one itself.
     */
    public record Readable(List<VrrpSocket> sockets, boolean also) {}

    /**
     * As {@link #awaitAny(List, Duration)}, also woken when {@code alsoFd} (another socket, or -1
     * for none) has something to read.
     */
    public static Readable awaitAny(List<VrrpSocket> sockets, int alsoFd, Duration timeout) throws NetException {
        RawSocket[] raw = new RawSocket[sockets.size()];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = sockets.get(i).rx;
        }
        boolean[] ready = RawSocket.awaitReadable(raw, alsoFd, timeout);
        List<VrrpSocket> out = new java.util.ArrayList<>();
        for (int i = 0; i < raw.length; i++) {
            if (ready[i]) {
                out.add(sockets.get(i));
            }
        }
        return new Readable(out, alsoFd >= 0 && ready[raw.length]);
    }

    /** A datagram of an IPv4 raw socket: header then payload. Null when the header is unreadable. */
    static Datagram parseIpv4(byte[] packet) {
        if (packet.length < 20 || (packet[0] & 0xF0) != 0x40) {
            LOG.debug("dropped a {}-octet IPv4 datagram without a valid header", packet.length);
            return null;
        }
        int headerLength = (packet[0] & 0x0F) * 4;
        if (headerLength < 20 || headerLength > packet.length) {
            LOG.debug("dropped an IPv4 datagram with header length {} of {} octets", headerLength, packet.length);
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(packet);
        int ttl = packet[8] & 0xFF;
        InetAddress src = SockAddr.address(b, 12, 4);
        InetAddress dst = SockAddr.address(b, 16, 4);
        byte[] message = new byte[packet.length - headerLength];
        System.arraycopy(packet, headerLength, message, 0, message.length);
        return new Datagram(new IpHeader(IpFamily.IPV4, src, dst, ttl), message);
    }

    /** A datagram of the IPv6 raw socket: payload only, the header's fields from ancillary data. */
    private Datagram ipv6() {
        InetAddress src = rx.source();
        ByteBuffer hops = rx.cmsg(Sockets.IPPROTO_IPV6, Sockets.IPV6_HOPLIMIT);
        ByteBuffer info = rx.cmsg(Sockets.IPPROTO_IPV6, Sockets.IPV6_PKTINFO);
        if (src == null || src.getAddress().length != 16 || hops == null || hops.remaining() < 4
                || info == null || info.remaining() < 16) {
            LOG.debug("{}: dropped an IPv6 datagram without its source, hop limit or destination", link.name());
            return null;
        }
        int hopLimit = hops.getInt(0);
        InetAddress dst = SockAddr.address(info, 0, 16);  // struct in6_pktinfo: ipi6_addr, ipi6_ifindex
        if (hopLimit < 0 || hopLimit > 255) {
            return null;
        }
        return new Datagram(new IpHeader(IpFamily.IPV6, src, dst, hopLimit), rx.data());
    }

    /** Datagrams skipped because their IP header (or, for IPv6, its ancillary data) was unreadable. */
    public long malformed() {
        return malformed.get();
    }

    @Override
    public void close() {
        tx.close();
        rx.close();
    }
}
