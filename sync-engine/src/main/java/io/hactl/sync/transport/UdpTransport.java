package io.hactl.sync.transport;

import io.hactl.sync.sys.Sockets;
import io.hactl.sync.ctnetlink.Ctnl;
import io.hactl.sync.sys.LibC;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.InternetProtocolFamily;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sync links over UDP on Netty's epoll transport: unicast or multicast, IPv4 or IPv6, up to
 * four redundant links. Datagrams are received on every link and sent on the active one; the
 * active link fails over to the next usable one when its interface goes down, a send fails, or
 * the engine reports the peer silent while another link is up.
 *
 * <p>All methods but {@link #open} and {@link #close} run on the event loop.
 */
public final class UdpTransport implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UdpTransport.class);

    private final List<LinkSpec> links;
    private final List<Channel> channels;
    private final LinkState linkState;
    private final TransportStats stats;
    private final String name;
    /**
     * Largest datagram received whole: the Ethernet jumbo frame payload. The peer sends at most
     * its configured datagram size, the path MTU; a larger one is truncated and fails its MAC.
     */
    static final int RECEIVE_SLOT = 9000 - 28;
    /** Datagrams read per recvmmsg. */
    static final int READ_BATCH = 16;

    /**
     * Datagrams written but not yet flushed after which a pass flushes without waiting for its end:
     * a bulk pass writes thousands, and the peer can start on the first ones while the rest are
     * packed (about 45 KB, one sendmmsg).
     */
    static final int FLUSH_EVERY = 32;

    private final boolean[] flushPending = new boolean[TransportStats.MAX_LINKS];
    private final int[] unflushed = new int[TransportStats.MAX_LINKS];
    private int active;
    private boolean peerEverAlive;
    private int checksSinceRotation;
    /** Checks to wait after a rotation for silence before rotating again (the peer needs time to follow). */
    static final int ROTATION_PATIENCE = 6;

    private UdpTransport(String name, List<LinkSpec> links, List<Channel> channels, LinkState linkState,
                         TransportStats stats) {
        this.name = name;
        this.links = links;
        this.channels = channels;
        this.linkState = linkState;
        this.stats = stats;
    }

    /**
     * Binds every link on {@code group} (epoll). Fails with the link named when one cannot be
     * opened; nothing stays open then.
     */
    public static UdpTransport open(String name, List<LinkSpec> links, EventLoopGroup group, int socketBuffer,
                                    LinkState linkState, DatagramHandler.Receiver receiver, TransportStats stats)
            throws TransportException {
        if (links.isEmpty() || links.size() > TransportStats.MAX_LINKS) {
            throw new IllegalArgumentException(links.size() + " sync links: 1 to " + TransportStats.MAX_LINKS + " allowed");
        }
        List<Channel> channels = new ArrayList<>();
        try {
            for (int i = 0; i < links.size(); i++) {
                channels.add(bind(links.get(i), i, group, socketBuffer, receiver, stats));
            }
        } catch (TransportException e) {
            channels.forEach(ch -> ch.close().syncUninterruptibly());
            throw e;
        }
        UdpTransport t = new UdpTransport(name, List.copyOf(links), channels, linkState, stats);
        t.active = t.firstUsable(0);
        stats.activeLink = t.active;
        return t;
    }

    private static Channel bind(LinkSpec link, int index, EventLoopGroup group, int socketBuffer,
                                DatagramHandler.Receiver receiver, TransportStats stats) throws TransportException {
        boolean v6 = link.local().getAddress() instanceof java.net.Inet6Address;
        Bootstrap b = new Bootstrap()
                .group(group)
                .channelFactory(() -> new EpollDatagramChannel(v6 ? InternetProtocolFamily.IPv6 : InternetProtocolFamily.IPv4))
                // recvmmsg: up to READ_BATCH datagrams of at most RECEIVE_SLOT bytes per system call
                .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, RECEIVE_SLOT)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(RECEIVE_SLOT * READ_BATCH)
                        .maxMessagesPerRead(READ_BATCH))
                .option(ChannelOption.SO_RCVBUF, socketBuffer)
                .option(ChannelOption.SO_SNDBUF, socketBuffer)
                .option(ChannelOption.SO_REUSEADDR, true)
                .handler(new DatagramHandler(receiver, index, link::isPeerSource, stats));
        try {
            if (link.multicast()) {
                NetworkInterface nif = NetworkInterface.getByName(link.interfaceName());
                if (nif == null) {
                    throw new TransportException("sync link " + link.describe() + ": no interface " + link.interfaceName());
                }
                b.option(ChannelOption.IP_MULTICAST_IF, nif)
                        .option(ChannelOption.IP_MULTICAST_TTL, 1)
                        .option(ChannelOption.IP_MULTICAST_LOOP_DISABLED, true)
                        .option(EpollChannelOption.SO_REUSEPORT, true);
                // bind the group port on the wildcard address so group traffic arrives
                ChannelFuture f = b.bind(new java.net.InetSocketAddress(link.remote().getPort())).sync();
                EpollDatagramChannel ch = (EpollDatagramChannel) f.channel();
                ch.joinGroup(link.remote(), nif).sync();
                forceBuffers(ch, socketBuffer, link);
                return ch;
            }
            Channel ch = b.bind(link.local()).sync().channel();
            forceBuffers((EpollDatagramChannel) ch, socketBuffer, link);
            return ch;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("sync link " + link.describe() + ": interrupted while binding");
        } catch (SocketException | RuntimeException e) {
            throw new TransportException("sync link " + link.describe() + ": cannot bind " + link.local() + ": "
                    + e.getMessage());
        } catch (Exception e) {
            throw new TransportException("sync link " + link.describe() + ": " + e.getMessage());
        }
    }

    /**
     * SO_RCVBUF/SO_SNDBUF are capped by net.core.rmem_max/wmem_max; a bulk send of hundreds of
     * thousands of flows needs more, so as root the FORCE variants set the size asked for (as
     * conntrackd does). Without the privilege the capped size stays and a warning says so.
     */
    private static void forceBuffers(EpollDatagramChannel ch, int bytes, LinkSpec link) {
        int fd = ch.fd().intValue();
        try {
            LibC.setIntSockopt(fd, Sockets.SOL_SOCKET, Sockets.SO_RCVBUFFORCE, bytes);
            LibC.setIntSockopt(fd, Sockets.SOL_SOCKET, Sockets.SO_SNDBUFFORCE, bytes);
        } catch (com.sun.jna.LastErrorException e) {
            LOG.warn("sync link {}: socket buffers limited by net.core.rmem_max/wmem_max (no CAP_NET_ADMIN): {}",
                    link.describe(), e.getMessage());
        }
    }

    /**
     * Sends a sealed datagram on the active link. The datagrams of one pass of the event loop go
     * out together (sendmmsg) when it ends, or every {@link #FLUSH_EVERY} datagrams in a long pass.
     */
    public void send(ByteBuffer datagram) {
        int link = active;
        Channel ch = channels.get(link);
        int size = datagram.remaining();
        if (!flushPending[link]) {
            flushPending[link] = true;
            ch.eventLoop().execute(() -> {
                flushPending[link] = false;
                unflushed[link] = 0;
                ch.flush();
            });
        }
        ch.write(new DatagramPacket(Unpooled.wrappedBuffer(datagram), links.get(link).remote()))
                .addListener(f -> {
                    if (f.isSuccess()) {
                        stats.sent(link, size);
                    } else {
                        stats.error(link);
                        failover(link, "send failed: " + f.cause());
                    }
                });
        if (++unflushed[link] >= FLUSH_EVERY) {
            unflushed[link] = 0;
            ch.flush();
        }
    }

    /**
     * Re-evaluates the active link (the engine calls this every heartbeat): moves on when its
     * interface is down, or when a peer that was heard has gone silent and another link is usable
     * (not before the peer was ever heard: at start it may simply not be up yet; and not again
     * until the peer had a few heartbeats to follow).
     */
    public void checkLinks(boolean peerAlive) {
        checksSinceRotation++;
        if (peerAlive) {
            peerEverAlive = true;
        }
        if (!usable(active)) {
            failover(active, "interface " + links.get(active).interfaceName() + " is down");
        } else if (!peerAlive && peerEverAlive && links.size() > 1 && checksSinceRotation >= ROTATION_PATIENCE) {
            int next = firstUsable(active + 1);
            if (next != active) {
                failover(active, "peer silent");
            }
        }
    }

    private void failover(int from, String why) {
        if (from != active || links.size() == 1) {
            return;
        }
        int next = firstUsable(active + 1);
        if (next == active) {
            return;
        }
        LOG.warn("{}: sync link {} -> {} ({})", name, links.get(active).describe(), links.get(next).describe(), why);
        active = next;
        stats.activeLink = next;
        stats.failovers++;
        checksSinceRotation = 0;
    }

    /** The first link from {@code start} (wrapping) whose interface is up; the current one if none is. */
    private int firstUsable(int start) {
        for (int i = 0; i < links.size(); i++) {
            int k = (start + i) % links.size();
            if (usable(k)) {
                return k;
            }
        }
        return Math.min(active, links.size() - 1);
    }

    /** A link without an interface name has no link state to check: always usable. */
    private boolean usable(int link) {
        String ifname = links.get(link).interfaceName();
        return ifname == null || linkState.isUp(ifname, ((EpollDatagramChannel) channels.get(link)).fd().intValue());
    }

    public int activeLink() {
        return active;
    }

    public List<LinkSpec> links() {
        return links;
    }

    @Override
    public void close() {
        for (Channel ch : channels) {
            ch.close().syncUninterruptibly();
        }
    }
}
