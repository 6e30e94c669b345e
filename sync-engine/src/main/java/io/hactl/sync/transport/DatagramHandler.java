package io.hactl.sync.transport;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thin adapter from Netty to the sync code: hands each received datagram's bytes, sender and
 * link to the receiver. All checks happen in the pure codec code behind it.
 */
@ChannelHandler.Sharable
public final class DatagramHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    private static final Logger LOG = LoggerFactory.getLogger(DatagramHandler.class);

    /** Gets datagrams on the event loop thread; must not throw. */
    public interface Receiver {
        void datagram(ByteBuffer bytes, InetSocketAddress sender, int link);
    }

    private final Receiver receiver;
    private final int link;
    private final TransportStats stats;

    public DatagramHandler(Receiver receiver, int link, TransportStats stats) {
        this.receiver = receiver;
        this.link = link;
        this.stats = stats;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        ByteBuffer bytes = packet.content().nioBuffer();
        stats.received(link, bytes.remaining());
        receiver.datagram(bytes, packet.sender(), link);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        stats.error(link);
        LOG.warn("sync link {}: {}", link, cause.toString());
    }
}
