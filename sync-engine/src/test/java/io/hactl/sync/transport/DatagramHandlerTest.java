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

    static final InetSocketAddress PEER = new InetSocketAddress("10.99.0.2", 3780);
    static final InetSocketAddress ME = new InetSocketAddress("10.99.0.1", 3780);
    static final LinkSpec LINK = new LinkSpec("sync", ME, PEER, false);

    final List<Got> got = new ArrayList<>();
    final List<InetSocketAddress> foreign = new ArrayList<>();
    final TransportStats stats = new TransportStats();

    EmbeddedChannel channel(LinkSpec link) {
        return new EmbeddedChannel(new DatagramHandler(new DatagramHandler.Receiver() {
            @Override
            public void datagram(ByteBuffer b, InetSocketAddress s, int l) {
                byte[] copy = new byte[b.remaining()];
                b.get(copy);
                got.add(new Got(copy, s, l));
            }

            @Override
            public void foreign(InetSocketAddress s, int l, int bytes) {
                foreign.add(s);
            }
        }, 2, link::isPeerSource, stats));
    }

    @Test
    void handsEachDatagramWithSenderAndLinkToTheReceiverAndCountsIt() {
        EmbeddedChannel ch = channel(LINK);

        ch.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}), ME, PEER));
        ch.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(new byte[] {4}), ME, PEER));

        assertThat(got).hasSize(2);
        assertThat(got.get(0).bytes()).containsExactly(1, 2, 3);
        assertThat(got.get(0).sender()).isEqualTo(PEER);
        assertThat(got.get(0).link()).isEqualTo(2);
        assertThat(stats.packetsReceived.get(2)).isEqualTo(2);
        assertThat(stats.bytesReceived.get(2)).isEqualTo(4);
        assertThat(foreign).isEmpty();
        assertThat((Object) ch.readInbound()).as("consumed, not passed on").isNull();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void aDatagramFromAnotherAddressOrPortIsForeignAndNeverReachesTheCodec() {
        EmbeddedChannel ch = channel(LINK);
        InetSocketAddress otherHost = new InetSocketAddress("10.99.0.3", 3780);
        InetSocketAddress otherPort = new InetSocketAddress("10.99.0.2", 40000);

        ch.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(new byte[] {1}), ME, otherHost));
        ch.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(new byte[] {2}), ME, otherPort));

        assertThat(got).isEmpty();
        assertThat(foreign).containsExactly(otherHost, otherPort);
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void onAMulticastLinkTheGroupPortIsThePeersWhateverItsAddress() {
        LinkSpec group = new LinkSpec("sync", ME, new InetSocketAddress("239.1.2.3", 3780), true);
        EmbeddedChannel ch = channel(group);

        ch.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(new byte[] {1}), ME, PEER));
        ch.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(new byte[] {2}), ME,
                new InetSocketAddress("10.99.0.2", 40000)));

        assertThat(got).hasSize(1);
        assertThat(foreign).containsExactly(new InetSocketAddress("10.99.0.2", 40000));
    }
}
