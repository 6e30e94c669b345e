package io.hactl.sync.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DatagramHandlerTest {
    record Got(byte[] bytes, InetSocketAddress sender, int link) {}

    @Test
    void handsEachDatagramWithSenderAndLinkToTheReceiverAndCountsIt() {
        List<Got> got = new ArrayList<>();
        TransportStats stats = new TransportStats();
        EmbeddedChannel ch = new EmbeddedChannel(new DatagramHandler((ByteBuffer b, InetSocketAddress s, int l) -> {
            byte[] copy = new byte[b.remaining()];
            b.get(copy);
            got.add(new Got(copy, s, l));
        }, 2, stats));
        InetSocketAddress peer = new InetSocketAddress("10.99.0.2", 3780);
        InetSocketAddress me = new InetSocketAddress("10.99.0.1", 3780);

        ch.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}), me, peer));
        ch.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(new byte[] {4}), me, peer));

        assertThat(got).hasSize(2);
        assertThat(got.get(0).bytes()).containsExactly(1, 2, 3);
        assertThat(got.get(0).sender()).isEqualTo(peer);
        assertThat(got.get(0).link()).isEqualTo(2);
        assertThat(stats.packetsReceived.get(2)).isEqualTo(2);
        assertThat(stats.bytesReceived.get(2)).isEqualTo(4);
        assertThat((Object) ch.readInbound()).as("consumed, not passed on").isNull();
        assertThat(ch.finish()).isFalse();
    }
}
