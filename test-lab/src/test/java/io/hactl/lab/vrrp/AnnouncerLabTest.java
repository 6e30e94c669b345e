package io.hactl.lab.vrrp;

import static io.hactl.lab.vrrp.VnLink.A_IF;
import static io.hactl.lab.vrrp.VnLink.A_MAC;
import static io.hactl.lab.vrrp.VnLink.B_IF;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hactl.controller.vrrp.net.Addresses;
import io.hactl.controller.vrrp.net.Announcer;
import io.hactl.controller.vrrp.net.ArpPacket;
import io.hactl.controller.vrrp.net.Link;
import io.hactl.controller.vrrp.net.NeighborAdvert;
import io.hactl.sync.lab.LabTest;
import io.hactl.sync.lab.Netns;
import io.hactl.sync.sys.Sockets;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An {@link Announcer} round in A reaches B as the frames the encoders describe (captured with an
 * AF_PACKET socket in B), and B's kernel takes them: its neighbour table maps the virtual
 * addresses to A's MAC.
 */
@LabTest
class AnnouncerLabTest {
    private static final ObjectMapper JSON = new ObjectMapper();
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

    private static Link link(Netns ns, String name) throws Exception {
        return ns.call(() -> {
            try (Addresses a = Addresses.open()) {
                return a.link(name);
            }
        });
    }

    /** B's neighbour entry for {@code address}: its link-layer address, null when none. */
    private String neighbour(String address) throws Exception {
        JsonNode entries = JSON.readTree(net.b.exec("ip", "-j", "neigh", "show", "dev", B_IF));
        for (JsonNode e : entries) {
            if (InetAddress.getByName(e.get("dst").asText()).equals(InetAddress.getByName(address))) {
                return e.path("lladdr").asText(null);
            }
        }
        return null;
    }

    @Test
    void gratuitousArpIsARequestForTheVirtualAddressFromTheInterfaceMacAndUpdatesThePeersNeighbourTable()
            throws Exception {
        Link a = link(net.a, A_IF);
        Link b = link(net.b, B_IF);
        Inet4Address vip = (Inet4Address) InetAddress.getByName("10.77.0.100");
        assertThat(neighbour("10.77.0.100")).isNull();
        try (FrameCapture capture = net.b.call(() -> new FrameCapture(b.index(), Sockets.ETH_P_ARP, WAIT));
                Announcer announcer = net.a.call(() -> Announcer.open(a, true))) {
            assertThat(announcer.announce(List.of(vip))).isEqualTo(1);
            byte[] frame = capture.next();
            assertThat(frame).isNotNull();
            ArpPacket arp = ArpPacket.decode(frame);
            assertThat(arp).isEqualTo(ArpPacket.gratuitous(a.mac(), vip));
            assertThat(arp.senderIp()).isEqualTo(vip);
            assertThat(arp.targetIp()).isEqualTo(vip);
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(neighbour("10.77.0.100")).isEqualTo(A_MAC));
    }

    @Test
    void unsolicitedNeighborAdvertGoesToAllNodesWithHopLimit255AndUpdatesThePeersNeighbourTable() throws Exception {
        Link a = link(net.a, A_IF);
        Link b = link(net.b, B_IF);
        Inet6Address vip = (Inet6Address) InetAddress.getByName("2001:db8::100");
        try (FrameCapture capture = net.b.call(() -> new FrameCapture(b.index(), Sockets.ETH_P_IPV6, WAIT));
                Announcer announcer = net.a.call(() -> Announcer.open(a, true))) {
            assertThat(announcer.announce(List.of(vip))).isEqualTo(1);
            byte[] packet = nextNeighborAdvert(capture);
            assertThat(packet).as("a neighbor advertisement captured in B").isNotNull();
            assertThat(packet[7] & 0xFF).as("hop limit").isEqualTo(255);
            InetAddress src = InetAddress.getByAddress(Arrays.copyOfRange(packet, 8, 24));
            InetAddress dst = InetAddress.getByAddress(Arrays.copyOfRange(packet, 24, 40));
            assertThat(dst).isEqualTo(InetAddress.getByName("ff02::1"));
            assertThat(src).isEqualTo(InetAddress.getByName(VnLink.A_LL));
            byte[] icmp = Arrays.copyOfRange(packet, 40, packet.length);
            assertThat(NeighborAdvert.checksum(src, dst, icmp)).as("checksum as the kernel filled it in").isZero();
            assertThat(NeighborAdvert.decode(icmp)).isEqualTo(NeighborAdvert.unsolicited(vip, a.mac(), true));
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(neighbour("2001:db8::100")).isEqualTo(A_MAC));
    }

    /** The next captured IPv6 packet that is a neighbor advertisement (B also sees MLD reports and the like). */
    private static byte[] nextNeighborAdvert(FrameCapture capture) {
        for (byte[] p = capture.next(); p != null; p = capture.next()) {
            if (p.length >= 40 + NeighborAdvert.LENGTH && (p[6] & 0xFF) == Sockets.IPPROTO_ICMPV6
                    && (p[40] & 0xFF) == NeighborAdvert.TYPE) {
                return p;
            }
        }
        return null;
    }
}
