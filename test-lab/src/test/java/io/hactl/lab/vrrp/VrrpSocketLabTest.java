package io.hactl.lab.vrrp;

import static io.hactl.lab.vrrp.VnLink.A_IF;
import static io.hactl.lab.vrrp.VnLink.A_LL;
import static io.hactl.lab.vrrp.VnLink.A_V4;
import static io.hactl.lab.vrrp.VnLink.B_IF;
import static io.hactl.lab.vrrp.VnLink.B_LL;
import static io.hactl.lab.vrrp.VnLink.B_V4;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.NativeLong;
import io.hactl.controller.vrrp.AdvertCodec;
import io.hactl.controller.vrrp.ChecksumMode;
import io.hactl.controller.vrrp.DropReason;
import io.hactl.controller.vrrp.InstanceConfig;
import io.hactl.controller.vrrp.IpFamily;
import io.hactl.controller.vrrp.ReceiveCheck;
import io.hactl.controller.vrrp.ReceiveCounters;
import io.hactl.controller.vrrp.ReceiveVerdict;
import io.hactl.controller.vrrp.net.Addresses;
import io.hactl.controller.vrrp.net.Datagram;
import io.hactl.controller.vrrp.net.Link;
import io.hactl.controller.vrrp.net.VrrpSocket;
import io.hactl.sync.lab.LabTest;
import io.hactl.sync.lab.Netns;
import io.hactl.sync.sys.LibC;
import io.hactl.sync.sys.Sockets;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Advertisements sent by a {@link VrrpSocket} in one namespace arrive at the {@link VrrpSocket}
 * of the other, over a veth pair, and pass {@link ReceiveCheck}: IPv4 to 224.0.0.18 in both
 * checksum variants, IPv4 unicast, IPv6 to ff02::12 with the hop limit from ancillary data. A
 * node does not hear itself, a receive with nothing to read waits, bounded, without spinning,
 * one thread can wait on several sockets, and a socket opens on a tentative IPv6 address.
 */
@LabTest
class VrrpSocketLabTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private VnLink net;

    @BeforeEach
    void setUp() {
        net = VnLink.create();
    }

    @AfterEach
    void tearDown() {
        if (net != null) {
            net.close();
        }
    }

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    private static Link link(Netns ns, String name) throws Exception {
        return ns.call(() -> {
            try (Addresses a = Addresses.open()) {
                return a.link(name);
            }
        });
    }

    private static VrrpSocket open(Netns ns, String ifname, String source, List<InetAddress> peers, ChecksumMode mode)
            throws Exception {
        Link l = link(ns, ifname);
        return ns.call(() -> VrrpSocket.open(l, ip(source), peers, mode));
    }

    private static InstanceConfig instance(String name, int priority, String primary, String... vips) throws Exception {
        List<InetAddress> addresses = new java.util.ArrayList<>();
        for (String v : vips) {
            addresses.add(ip(v));
        }
        return new InstanceConfig(name, 51, priority, 100, true, Duration.ZERO, ip(primary), addresses);
    }

    @Test
    void ipv4AdvertisementToTheGroupArrivesWithTtl255AndPassesTheReceiveChecksInBothChecksumVariants() throws Exception {
        InstanceConfig onA = instance("VI_A", 150, A_V4, "10.77.0.100");
        InstanceConfig onB = instance("VI_B", 100, B_V4, "10.77.0.100");
        ReceiveCheck check = new ReceiveCheck(B_IF, IpFamily.IPV4, List.of(onB), new ReceiveCounters(), System::nanoTime);
        try (VrrpSocket rfc = open(net.a, A_IF, A_V4, List.of(), ChecksumMode.RFC);
                VrrpSocket b = open(net.b, B_IF, B_V4, List.of(), ChecksumMode.RFC)) {
            rfc.send(onA.advertisement(150));
            Datagram d = b.receive(WAIT);
            assertThat(d).isNotNull();
            assertThat(d.header().source()).isEqualTo(ip(A_V4));
            assertThat(d.header().destination()).isEqualTo(ip("224.0.0.18"));
            assertThat(d.header().ttl()).isEqualTo(255);
            ReceiveVerdict v = check.check(d.header(), d.message());
            assertThat(v.accepted()).as("verdict %s", v).isTrue();
            assertThat(v.advert().priority()).isEqualTo(150);
            assertThat(v.advert().addresses()).containsExactly(ip("10.77.0.100"));
            assertThat(v.checksum()).isEqualTo(ChecksumMode.RFC);
        }
        try (VrrpSocket v2 = open(net.a, A_IF, A_V4, List.of(), ChecksumMode.KEEPALIVED_V2);
                VrrpSocket b = open(net.b, B_IF, B_V4, List.of(), ChecksumMode.RFC)) {
            v2.send(onA.advertisement(150));
            Datagram d = b.receive(WAIT);
            assertThat(d).isNotNull();
            ReceiveVerdict v = check.check(d.header(), d.message());
            assertThat(v.accepted()).as("verdict %s", v).isTrue();
            assertThat(v.checksum()).isEqualTo(ChecksumMode.KEEPALIVED_V2);
        }
        assertThat(check.counters().accepted()).isEqualTo(2);
    }

    /**
     * Each datagram carries the kernel's receive time (SO_TIMESTAMPNS, on the nanoTime clock):
     * one read 30 ms after it arrived says so, where the Master_Down_Timer must count from.
     */
    @Test
    void aDatagramCarriesTheKernelsReceiveTimeNotTheTimeItWasRead() throws Exception {
        InstanceConfig onA = instance("VI_A", 150, A_V4, "10.77.0.100");
        try (VrrpSocket a = open(net.a, A_IF, A_V4, List.of(), ChecksumMode.RFC);
                VrrpSocket b = open(net.b, B_IF, B_V4, List.of(), ChecksumMode.RFC)) {
            long sent = System.nanoTime();
            a.send(onA.advertisement(150));
            Datagram d = b.receive(WAIT);
            long read = System.nanoTime();
            assertThat(d).isNotNull();
            // the kernel's wall-clock stamp brought to the nanoTime clock: a few microseconds either way
            assertThat(d.receivedAt()).isBetween(sent - 1_000_000L, read);

            // a stamp older than 100 ms counts from the read (a clock step): on a machine so busy
            // that the 30 ms wait overran that, try again, a few times at most
            boolean measured = false;
            for (int attempt = 0; attempt < 5 && !measured; attempt++) {
                a.send(onA.advertisement(150));
                assertThat(VrrpSocket.awaitAny(List.of(b), WAIT)).as("arrived").containsExactly(b);
                long arrivedBy = System.nanoTime();
                LockSupport.parkNanos(30_000_000L); // the delay under test: the datagram waits in the socket
                long readAt = System.nanoTime();
                d = b.receive(Duration.ZERO);
                assertThat(d).isNotNull();
                if (readAt - arrivedBy < 80_000_000L) {
                    assertThat(d.receivedAt()).isLessThanOrEqualTo(arrivedBy + 1_000_000L).isLessThan(readAt - 25_000_000L);
                    measured = true;
                }
            }
            assertThat(measured).as("a read within 80 ms of the arrival, in 5 tries").isTrue();
        }
    }

    @Test
    void ipv4AdvertisementToAUnicastPeerArrivesAddressedToThePeer() throws Exception {
        InstanceConfig onA = instance("VI_A", 120, A_V4, "10.77.0.100");
        InstanceConfig onB = instance("VI_B", 100, B_V4, "10.77.0.100");
        ReceiveCheck check = new ReceiveCheck(B_IF, IpFamily.IPV4, List.of(onB), new ReceiveCounters(), System::nanoTime);
        try (VrrpSocket a = open(net.a, A_IF, A_V4, List.of(ip(B_V4)), ChecksumMode.RFC);
                VrrpSocket b = open(net.b, B_IF, B_V4, List.of(ip(A_V4)), ChecksumMode.RFC)) {
            assertThat(a.destinations()).containsExactly(ip(B_V4));
            a.send(onA.advertisement(120));
            Datagram d = b.receive(WAIT);
            assertThat(d).isNotNull();
            assertThat(d.header().destination()).isEqualTo(ip(B_V4));
            assertThat(d.header().ttl()).isEqualTo(255);
            ReceiveVerdict v = check.check(d.header(), d.message());
            assertThat(v.accepted()).as("verdict %s", v).isTrue();
            assertThat(v.advert().priority()).isEqualTo(120);
        }
    }

    @Test
    void ipv6AdvertisementToTheGroupArrivesWithHopLimit255FromAncillaryDataAndPassesTheReceiveChecks() throws Exception {
        InstanceConfig onA = instance("VI6_A", 200, A_LL, "fe80::100", "2001:db8::100");
        InstanceConfig onB = instance("VI6_B", 100, B_LL, "fe80::100", "2001:db8::100");
        ReceiveCheck check = new ReceiveCheck(B_IF, IpFamily.IPV6, List.of(onB), new ReceiveCounters(), System::nanoTime);
        try (VrrpSocket a = open(net.a, A_IF, A_LL, List.of(), ChecksumMode.RFC);
                VrrpSocket b = open(net.b, B_IF, B_LL, List.of(), ChecksumMode.RFC)) {
            a.send(onA.advertisement(200));
            Datagram d = b.receive(WAIT);
            assertThat(d).isNotNull();
            assertThat(d.header().family()).isEqualTo(IpFamily.IPV6);
            assertThat(d.header().source()).isEqualTo(ip(A_LL));
            assertThat(d.header().destination()).isEqualTo(ip("ff02::12"));
            assertThat(d.header().ttl()).isEqualTo(255);
            ReceiveVerdict v = check.check(d.header(), d.message());
            assertThat(v.accepted()).as("verdict %s", v).isTrue();
            assertThat(v.advert().priority()).isEqualTo(200);
            assertThat(v.advert().addresses()).containsExactly(ip("fe80::100"), ip("2001:db8::100"));
            assertThat(b.malformed()).isZero();
        }
    }

    /**
     * A link-local address is tentative for a while after it is added (duplicate address
     * detection): a socket opens on it anyway (a daemon that starts as the link comes up must not
     * fail), and its adverts go out from it once the kernel lets them.
     */
    @Test
    void aSocketOpensOnATentativeAddressAndItsAdvertsGoOutOnceTheAddressIsUsable() throws Exception {
        String tentative = "fe80::aa";
        net.a.exec("sysctl", "-qw", "net.ipv6.conf." + A_IF + ".accept_dad=1");
        net.a.exec("sysctl", "-qw", "net.ipv6.conf." + A_IF + ".dad_transmits=1");
        net.a.exec("sysctl", "-qw", "net.ipv6.neigh." + A_IF + ".retrans_time_ms=1500");
        net.a.exec("ip", "addr", "add", tentative + "/64", "dev", A_IF);
        InstanceConfig onA = instance("VI6_A", 200, tentative, "fe80::100");
        InstanceConfig onB = instance("VI6_B", 100, B_LL, "fe80::100");
        ReceiveCheck check = new ReceiveCheck(B_IF, IpFamily.IPV6, List.of(onB), new ReceiveCounters(), System::nanoTime);
        try (VrrpSocket a = open(net.a, A_IF, tentative, List.of(), ChecksumMode.RFC);
                VrrpSocket b = open(net.b, B_IF, B_LL, List.of(), ChecksumMode.RFC)) {
            assertThat(net.a.exec("ip", "-6", "-o", "addr", "show", "dev", A_IF)).as("opened while tentative")
                    .containsPattern(tentative + "/64 .*tentative");
            java.util.concurrent.atomic.AtomicReference<Datagram> heard = new java.util.concurrent.atomic.AtomicReference<>();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
                try {
                    a.send(onA.advertisement(200));
                } catch (io.hactl.controller.vrrp.net.NetException e) {
                    return false; // not usable yet
                }
                Datagram d = b.receive(Duration.ofMillis(100));
                heard.set(d);
                return d != null;
            });
            assertThat(heard.get().header().source()).isEqualTo(ip(tentative));
            assertThat(check.check(heard.get().header(), heard.get().message()).accepted()).isTrue();
        }
    }

    @Test
    void aNodeDoesNotHearItsOwnAdvertisementsAndAnIdleReceiveWaitsBoundedWithoutSpinning() throws Exception {
        InstanceConfig onA = instance("VI_A", 150, A_V4, "10.77.0.100");
        try (VrrpSocket a = open(net.a, A_IF, A_V4, List.of(), ChecksumMode.RFC)) {
            a.send(onA.advertisement(150));
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long cpu0 = threads.getCurrentThreadCpuTime();
            long wall0 = System.nanoTime();
            Datagram d = a.receive(Duration.ofMillis(500));
            long wall = System.nanoTime() - wall0;
            long cpu = threads.getCurrentThreadCpuTime() - cpu0;
            assertThat(d).isNull();
            assertThat(wall).isBetween(450_000_000L, 3_000_000_000L);
            assertThat(cpu).as("CPU time of a 500 ms idle receive").isLessThan(100_000_000L);
        }
    }

    @Test
    void oneThreadWaitsOnTheSocketsOfBothFamiliesAndLearnsWhichHasADatagram() throws Exception {
        InstanceConfig onA = instance("VI6_A", 200, A_LL, "fe80::100");
        try (VrrpSocket a6 = open(net.a, A_IF, A_LL, List.of(), ChecksumMode.RFC);
                VrrpSocket b4 = open(net.b, B_IF, B_V4, List.of(), ChecksumMode.RFC);
                VrrpSocket b6 = open(net.b, B_IF, B_LL, List.of(), ChecksumMode.RFC)) {
            a6.send(onA.advertisement(200));
            assertThat(VrrpSocket.awaitAny(List.of(b4, b6), WAIT)).containsExactly(b6);
            assertThat(b6.receive(Duration.ZERO)).isNotNull();
            assertThat(b4.receive(Duration.ZERO)).isNull();
            long t0 = System.nanoTime();
            assertThat(VrrpSocket.awaitAny(List.of(b4, b6), Duration.ofMillis(200))).isEmpty();
            assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(190_000_000L);
        }
    }

    /**
     * Sends {@code octets} to {@code group} from a raw socket of protocol 112 in {@code ns} with a
     * multicast TTL / hop limit of {@code hops}, as a misconfigured or routed peer would.
     */
    private static void sendWithHops(Netns ns, Link link, InetAddress group, byte[] octets, int hops) throws Exception {
        boolean v4 = group.getAddress().length == 4;
        int fd = ns.call(() -> LibC.socket(v4 ? Sockets.AF_INET : Sockets.AF_INET6, Sockets.SOCK_RAW, 112));
        try {
            LibC.setsockopt(fd, Sockets.SOL_SOCKET, Sockets.SO_BINDTODEVICE, (link.name() + "\0").getBytes(java.nio.charset.StandardCharsets.US_ASCII), link.name().length() + 1);
            LibC.setIntSockopt(fd, v4 ? Sockets.IPPROTO_IP : Sockets.IPPROTO_IPV6,
                    v4 ? Sockets.IP_MULTICAST_TTL : Sockets.IPV6_MULTICAST_HOPS, hops);
            ByteBuffer to = ByteBuffer.allocate(v4 ? Sockets.SOCKADDR_IN_LEN : Sockets.SOCKADDR_IN6_LEN)
                    .order(ByteOrder.nativeOrder());
            to.putShort((short) (v4 ? Sockets.AF_INET : Sockets.AF_INET6)).putShort((short) 0);
            if (v4) {
                to.put(group.getAddress());
            } else {
                to.putInt(0).put(group.getAddress()).putInt(link.index());
            }
            LibC.sendto(fd, octets, new NativeLong(octets.length), 0, to.array(), to.capacity());
        } finally {
            LibC.close(fd);
        }
    }

    @Test
    void ttlAndHopLimitAreThoseOfThePacketSoAnAdvertThatIsNot255IsDroppedAsBadTtl() throws Exception {
        InstanceConfig onA4 = instance("VI_A", 150, A_V4, "10.77.0.100");
        InstanceConfig onB4 = instance("VI_B", 100, B_V4, "10.77.0.100");
        InstanceConfig onA6 = instance("VI6_A", 150, A_LL, "fe80::100");
        InstanceConfig onB6 = instance("VI6_B", 100, B_LL, "fe80::100");
        ReceiveCounters counters4 = new ReceiveCounters();
        ReceiveCounters counters6 = new ReceiveCounters();
        ReceiveCheck check4 = new ReceiveCheck(B_IF, IpFamily.IPV4, List.of(onB4), counters4, System::nanoTime);
        ReceiveCheck check6 = new ReceiveCheck(B_IF, IpFamily.IPV6, List.of(onB6), counters6, System::nanoTime);
        Link a = link(net.a, A_IF);
        InetAddress group4 = VrrpSocket.group(IpFamily.IPV4);
        InetAddress group6 = VrrpSocket.group(IpFamily.IPV6);
        try (VrrpSocket b4 = open(net.b, B_IF, B_V4, List.of(), ChecksumMode.RFC);
                VrrpSocket b6 = open(net.b, B_IF, B_LL, List.of(), ChecksumMode.RFC)) {
            // the kernel picks the source: A's only address of each family on the link
            sendWithHops(net.a, a, group4, AdvertCodec.encodeSealed(onA4.advertisement(150), ip(A_V4), group4,
                    ChecksumMode.RFC), 64);
            sendWithHops(net.a, a, group6, AdvertCodec.encodeSealed(onA6.advertisement(150), ip(A_LL), group6,
                    ChecksumMode.RFC), 1);
            Datagram d4 = b4.receive(WAIT);
            Datagram d6 = b6.receive(WAIT);
            assertThat(d4).isNotNull();
            assertThat(d6).isNotNull();
            assertThat(d4.header().ttl()).isEqualTo(64);
            assertThat(d6.header().ttl()).isEqualTo(1);
            assertThat(check4.check(d4.header(), d4.message()).drop()).isEqualTo(DropReason.BAD_TTL);
            assertThat(check6.check(d6.header(), d6.message()).drop()).isEqualTo(DropReason.BAD_TTL);
            assertThat(counters4.dropped(DropReason.BAD_TTL)).isEqualTo(1);
            assertThat(counters6.dropped(DropReason.BAD_TTL)).isEqualTo(1);
        }
    }
}
