package io.hactl.sync.netlink;

import static io.hactl.sync.netlink.Rtnetlink.IFINFOMSG_LEN;
import static io.hactl.sync.netlink.Rtnetlink.IFLA_IFNAME;
import static io.hactl.sync.netlink.Rtnetlink.IFLA_MTU;
import static io.hactl.sync.netlink.Rtnetlink.RTM_GETLINK;
import static io.hactl.sync.netlink.Rtnetlink.RTM_NEWLINK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hactl.sync.lab.LabTest;
import io.hactl.sync.lab.Netns;
import io.hactl.sync.sys.Sockets;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The netlink package serves a family other than nfnetlink: a NETLINK_ROUTE socket dumps the
 * links of a fresh network namespace (RTM_GETLINK), with a family header (struct ifinfomsg) of
 * another size than nfgenmsg and host-order attributes.
 */
@LabTest
class RouteSocketLabTest {
    private Netns ns;

    @BeforeEach
    void setUp() {
        ns = Netns.create("rtnl");
        ns.exec("ip", "link", "add", "hactl-v0", "mtu", "1400", "type", "veth", "peer", "name", "hactl-v1");
    }

    @AfterEach
    void tearDown() {
        if (ns != null) {
            ns.close();
        }
    }

    /** What a link dump says of one link. */
    record Link(int index, long mtu) {}

    @Test
    void routeSocketDumpsTheLinksOfTheNamespaceWithTheirIndexAndMtu() throws Exception {
        AttrWriter w = new AttrWriter(64);
        int m = w.beginMessage(RTM_GETLINK, Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP, 7);
        w.putStructU8(Sockets.AF_UNSPEC);     // ifi_family
        w.putStructU8(0);                     // __ifi_pad
        w.putStructU16(0);                    // ifi_type
        w.putStructU32(0);                    // ifi_index
        w.putStructU32(0);                    // ifi_flags
        w.putStructU32(0);                    // ifi_change
        w.endMessage(m);
        assertThat(w.size()).isEqualTo(Netlink.NLMSG_HDRLEN + IFINFOMSG_LEN);

        Map<String, Link> links = new HashMap<>();
        boolean done = false;
        try (NetlinkSocket s = ns.call(() -> JnaNetlinkSocket.route())) {
            s.setReceiveTimeout(Duration.ofSeconds(5));
            s.send(w.flipped());
            ByteBuffer rx = ByteBuffer.allocate(256 * 1024);
            while (!done) {
                s.receive(rx);
                for (int off = 0; off < rx.limit(); ) {
                    NlMsg msg = NlMsg.read(rx, off, IFINFOMSG_LEN);
                    assertThat(msg.seq()).isEqualTo(7);
                    assertThat(msg.pid()).isEqualTo(s.portId());
                    if (msg.type() == Netlink.NLMSG_DONE) {
                        done = true;
                    } else {
                        assertThat(msg.type()).isNotEqualTo(Netlink.NLMSG_ERROR).isEqualTo(RTM_NEWLINK);
                        int index = rx.getInt(msg.payloadStart() + 4);
                        AttrReader r = new AttrReader(rx, msg.attrStart(), msg.end(), "RTM_NEWLINK");
                        String name = null;
                        long mtu = -1;
                        while (r.next()) {
                            switch (r.type()) {
                                case IFLA_IFNAME -> name = r.string("IFLA_IFNAME");
                                case IFLA_MTU -> mtu = r.hostU32("IFLA_MTU");
                                default -> { }
                            }
                        }
                        assertThat(r.error()).isNull();
                        links.put(name, new Link(index, mtu));
                    }
                    off = msg.next();
                }
            }
        }

        assertThat(links).containsOnlyKeys("lo", "hactl-v0", "hactl-v1");
        assertThat(links.get("lo")).isEqualTo(new Link(1, 65536));
        assertThat(links.get("hactl-v0").mtu()).isEqualTo(1400);
        assertThat(links.get("hactl-v0").index()).isGreaterThan(1);
    }

    @Test
    void receiveNowSaysFalseOnAnEmptyQueueAndTrueOnceTheKernelAnswered() throws Exception {
        AttrWriter w = new AttrWriter(64);
        int m = w.beginMessage(RTM_GETLINK, Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP, 8);
        w.putStructU8(Sockets.AF_UNSPEC);
        w.putStructU8(0);
        w.putStructU16(0);
        w.putStructU32(0);
        w.putStructU32(0);
        w.putStructU32(0);
        w.endMessage(m);
        try (NetlinkSocket s = ns.call(() -> JnaNetlinkSocket.route())) {
            ByteBuffer rx = ByteBuffer.allocate(256 * 1024);
            assertThat(s.receiveNow(rx)).as("nothing asked, nothing queued").isFalse();
            s.send(w.flipped());
            // the kernel answers a dump's first part within the send that asked for it
            assertThat(s.receiveNow(rx)).isTrue();
            assertThat(NlMsg.read(rx, 0, IFINFOMSG_LEN).seq()).isEqualTo(8);
            s.setReceiveTimeout(Duration.ofMillis(50));
            while (s.receiveNow(rx)) {
                // the rest of the dump, then its end
            }
            assertThat(s.receiveNow(rx)).isFalse();
            assertThatThrownBy(() -> s.receive(rx)).isInstanceOf(NetlinkException.class)
                    .satisfies(e -> assertThat(((NetlinkException) e).isTimeout()).isTrue());
        }
    }
}
