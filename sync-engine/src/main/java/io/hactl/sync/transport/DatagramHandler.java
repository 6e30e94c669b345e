package io.hactl.sync.transport;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thin adapter from Netty to the sync code: hands each received datagram's bytes, sender and
 * link to the receiver. The one check made here is the cheapest: a datagram whose source is not
 * the link's peer goes to {@link Receiver#foreign} before any MAC or parse work is spent on it;
 * all other checks happen in the pure codec code behind it.
 */
@ChannelHandler.Sharable
public final class DatagramHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    private static final Logger LOG = LoggerFactory.getLogger(DatagramHandler.class);

    /** Gets datagrams on the event loop thread; must not throw. */
    public interface Receiver {
        /** A datagram from the link's peer address and port. */
        void datagram(ByteBuffer bytes, InetSocketAddress sender, int link);

        /** A datagram from any other source: to be counted and dropped unread. */
        void foreign(InetSocketAddress sender, int link, int bytes);
    }

    private final Receiver receiver;
    private final int link;
    private final Predicate<InetSocketAddress> fromPeer;
    private final TransportStats stats;

    /** @param fromPeer whether a source address and port is the link's peer ({@link LinkSpec#isPeerSource}) */
    public DatagramHandler(Receiver receiver, int link, Predicate<InetSocketAddress> fromPeer, TransportStats stats) {
        this.receiver = receiver;
        this.link = link;
        this.fromPeer = fromPeer;
        this.stats = stats;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        ByteBuffer bytes = packet.content().nioBuffer();
        stats.received(link, bytes.remaining());
        if (fromPeer.test(packet.sender())) {
            receiver.datagram(bytes, packet.sender(), link);
        } else {
            receiver.foreign(packet.sender(), link, bytes.remaining());
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        stats.error(link);
        LOG.warn("sync link {}: {}", link, cause.toString());
    }
}
