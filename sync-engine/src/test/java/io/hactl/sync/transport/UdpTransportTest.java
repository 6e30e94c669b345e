package io.hactl.sync.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Real epoll UDP sockets on loopback (no root needed). */
class UdpTransportTest {
    final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    final Set<String> down = ConcurrentHashMap.newKeySet();
    final LinkState fakeState = (name, fd) -> !down.contains(name);

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    record Got(String text, int link) {}

    static int freePort() throws Exception {
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    UdpTransport open(String name, List<LinkSpec> links, List<Got> into) throws Exception {
        return open(name, links, into, new CopyOnWriteArrayList<>());
    }

    /** Datagrams from the peer go to {@code into}, those from other sources to {@code foreign}. */
    UdpTransport open(String name, List<LinkSpec> links, List<Got> into, List<InetSocketAddress> foreign)
            throws Exception {
        return UdpTransport.open(name, links, group, 1 << 20, fakeState, new DatagramHandler.Receiver() {
            @Override
            public void datagram(ByteBuffer b, InetSocketAddress s, int l) {
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                into.add(new Got(new String(bytes), l));
            }

            @Override
            public void foreign(InetSocketAddress s, int l, int bytes) {
                foreign.add(s);
            }
        }, new TransportStats());
    }

    @Test
    void datagramsFromAnotherPortOrAddressThanThePeersAreHandedOverAsForeign() throws Exception {
        int a0 = freePort();
        int b0 = freePort();
        List<Got> fromPeer = new CopyOnWriteArrayList<>();
        List<InetSocketAddress> foreign = new CopyOnWriteArrayList<>();
        try (UdpTransport a = open("a", List.of(new LinkSpec("sync0", new InetSocketAddress("127.0.0.1", a0),
                new InetSocketAddress("127.0.0.1", b0), false)), fromPeer, foreign);
             java.net.DatagramSocket peer = new java.net.DatagramSocket(new InetSocketAddress("127.0.0.1", b0));
             java.net.DatagramSocket other = new java.net.DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            byte[] text = "x".getBytes();
            other.send(new java.net.DatagramPacket(text, 1, new InetSocketAddress("127.0.0.1", a0)));
            peer.send(new java.net.DatagramPacket(text, 1, new InetSocketAddress("127.0.0.1", a0)));
            await().atMost(Duration.ofSeconds(5)).until(() -> fromPeer.size() == 1 && foreign.size() == 1);
            assertThat(foreign.get(0).getPort()).isEqualTo(other.getLocalPort());
        }
    }

    void send(UdpTransport t, String text) {
        group.next().submit(() -> t.send(ByteBuffer.wrap(text.getBytes()))).syncUninterruptibly();
    }

    @Test
    void sendsOnTheActiveLinkAndFailsOverWhenItsInterfaceGoesDown() throws Exception {
        for (String host : List.of("127.0.0.1", "::1")) {
            int a0 = freePort(), a1 = freePort(), b0 = freePort(), b1 = freePort();
            List<Got> atB = new CopyOnWriteArrayList<>();
            List<Got> atA = new CopyOnWriteArrayList<>();
            try (UdpTransport a = open("a", List.of(
                         new LinkSpec("sync0", new InetSocketAddress(host, a0), new InetSocketAddress(host, b0), false),
                         new LinkSpec("sync1", new InetSocketAddress(host, a1), new InetSocketAddress(host, b1), false)), atA);
                 UdpTransport b = open("b", List.of(
                         new LinkSpec("sync0", new InetSocketAddress(host, b0), new InetSocketAddress(host, a0), false),
                         new LinkSpec("sync1", new InetSocketAddress(host, b1), new InetSocketAddress(host, a1), false)), atB)) {
                send(a, "hello");
                await().atMost(Duration.ofSeconds(5)).until(() -> atB.size() == 1);
                assertThat(atB.get(0)).isEqualTo(new Got("hello", 0));

                down.add("sync0");
                group.next().submit(() -> a.checkLinks(true)).syncUninterruptibly();
                assertThat(a.activeLink()).isEqualTo(1);
                send(a, "over link 1");
                await().atMost(Duration.ofSeconds(5)).until(() -> atB.size() == 2);
                assertThat(atB.get(1)).isEqualTo(new Got("over link 1", 1));

                // b still sends on link 0 (its view), a receives on every link
                send(b, "reply");
                await().atMost(Duration.ofSeconds(5)).until(() -> atA.size() == 1);
                down.clear();
            }
        }
    }

    @Test
    void aLongPassSendsAsItGoesNotAllAtItsEnd() throws Exception {
        int a0 = freePort();
        try (java.nio.channels.DatagramChannel peer = java.nio.channels.DatagramChannel.open()) {
            peer.bind(new InetSocketAddress("127.0.0.1", 0)).configureBlocking(false);
            InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalAddress();
            try (UdpTransport a = open("a", List.of(new LinkSpec("sync0", new InetSocketAddress("127.0.0.1", a0), peerAddress,
                    false)), new CopyOnWriteArrayList<>())) {
                // one task of the loop, as a bulk's pass is: loopback delivers within the send, so
                // what the peer holds before the task ends went out during the pass
                int during = group.next().submit(() -> {
                    for (int i = 0; i < 2 * UdpTransport.FLUSH_EVERY + 5; i++) {
                        a.send(ByteBuffer.wrap(("datagram " + i).getBytes()));
                    }
                    int n = 0;
                    ByteBuffer buf = ByteBuffer.allocate(100);
                    while (peer.receive(buf) != null) {
                        buf.clear();
                        n++;
                    }
                    return n;
                }).get(5, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(during).isEqualTo(2 * UdpTransport.FLUSH_EVERY);
                // the rest at the pass's end
                int[] after = {0};
                await().atMost(Duration.ofSeconds(5)).until(() -> {
                    ByteBuffer buf = ByteBuffer.allocate(100);
                    while (peer.receive(buf) != null) {
                        buf.clear();
                        after[0]++;
                    }
                    return after[0] == 5;
                });
            }
        }
    }

    @Test
    void silentPeerMovesTrafficToAnotherUsableLinkButASingleLinkStays() throws Exception {
        int a0 = freePort(), a1 = freePort(), b0 = freePort(), b1 = freePort();
        List<Got> sink = new CopyOnWriteArrayList<>();
        try (UdpTransport a = open("a", List.of(
                new LinkSpec("s0", new InetSocketAddress("127.0.0.1", a0), new InetSocketAddress("127.0.0.1", b0), false),
                new LinkSpec("s1", new InetSocketAddress("127.0.0.1", a1), new InetSocketAddress("127.0.0.1", b1), false)), sink);
             UdpTransport single = open("single", List.of(
                new LinkSpec(null, new InetSocketAddress("127.0.0.1", freePort()), new InetSocketAddress("127.0.0.1", b0), false)), sink)) {
            for (int i = 0; i < 10; i++) {
                group.next().submit(() -> a.checkLinks(false)).syncUninterruptibly();
            }
            assertThat(a.activeLink()).as("a peer never heard may just not be up yet").isZero();
            group.next().submit(() -> a.checkLinks(true)).syncUninterruptibly();
            group.next().submit(() -> a.checkLinks(false)).syncUninterruptibly();
            assertThat(a.activeLink()).as("heard, then silent").isEqualTo(1);
            for (int i = 1; i < UdpTransport.ROTATION_PATIENCE; i++) {
                group.next().submit(() -> a.checkLinks(false)).syncUninterruptibly();
            }
            assertThat(a.activeLink()).as("gives the peer a few heartbeats to follow").isEqualTo(1);
            group.next().submit(() -> a.checkLinks(false)).syncUninterruptibly();
            assertThat(a.activeLink()).as("then tries the next link again").isZero();
            group.next().submit(() -> single.checkLinks(true)).syncUninterruptibly();
            group.next().submit(() -> single.checkLinks(false)).syncUninterruptibly();
            assertThat(single.activeLink()).isZero();
        }
    }

    @Test
    void theKernelLinkStateSeesLoopbackUpAndAMissingInterfaceDown() throws Exception {
        try (java.net.DatagramSocket probe = new java.net.DatagramSocket()) {
            List<Got> sink = new CopyOnWriteArrayList<>();
            int port = freePort();
            try (UdpTransport t = UdpTransport.open("t", List.of(new LinkSpec("lo", new InetSocketAddress("127.0.0.1", port),
                    new InetSocketAddress("127.0.0.1", 9), false)), group, 1 << 16, LinkState.KERNEL,
                    new DatagramHandler.Receiver() {
                        @Override
                        public void datagram(ByteBuffer b, InetSocketAddress s, int l) {
                        }

                        @Override
                        public void foreign(InetSocketAddress s, int l, int bytes) {
                        }
                    }, new TransportStats())) {
                group.next().submit(() -> t.checkLinks(true)).syncUninterruptibly();
                assertThat(t.activeLink()).isZero();
            }
        }
    }

    @Test
    void aLinkThatCannotBeBoundIsNamedAndNothingStaysOpen() throws Exception {
        int port = freePort();
        assertThatThrownBy(() -> open("x", List.of(
                new LinkSpec("s0", new InetSocketAddress("127.0.0.1", port), new InetSocketAddress("127.0.0.1", 9), false),
                new LinkSpec("s1", new InetSocketAddress("192.0.2.77", port), new InetSocketAddress("192.0.2.78", 9), false)),
                new CopyOnWriteArrayList<>()))
                .isInstanceOf(TransportException.class)
                .hasMessageContaining("s1 192.0.2.77");
        // the first link's port was released again
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(port, java.net.InetAddress.getLoopbackAddress())) {
            assertThat(s.getLocalPort()).isEqualTo(port);
        }
    }
}
