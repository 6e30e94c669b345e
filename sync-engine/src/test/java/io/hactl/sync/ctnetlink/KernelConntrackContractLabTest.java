package io.hactl.sync.ctnetlink;

import static io.hactl.sync.ctnetlink.FakeKernelFixtures.ip;
import static io.hactl.sync.ctnetlink.FakeKernelFixtures.tcpEstablished;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.FlowEvent;
import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import io.hactl.sync.lab.ConntrackTool;
import io.hactl.sync.lab.LabTest;
import io.hactl.sync.lab.Netns;
import io.hactl.sync.netlink.Errno;
import io.hactl.sync.netlink.JnaNetlinkSocket;
import io.hactl.sync.netlink.Netlink;
import io.hactl.sync.netlink.NetlinkSocket;
import io.hactl.sync.sys.Sockets;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The {@link ConntrackContract} against the real kernel, each test in a fresh network namespace,
 * plus what only the real kernel shows: agreement with conntrack(8), its socket filter, and how
 * its socket buffer overruns.
 */
@LabTest(tools = "conntrack")
class KernelConntrackContractLabTest extends ConntrackContract {
    private Netns ns;

    @Override
    protected void openTable() {
        ns = Netns.create("ctc");
    }

    @Override
    protected void closeTable() {
        if (ns != null) {
            ns.close();
        }
    }

    @Override
    protected Conntrack newConntrack() throws Exception {
        return ns.call(Conntrack::open);
    }

    @Override
    protected NetlinkSocket newRawSocket() throws Exception {
        return ns.call(JnaNetlinkSocket::netfilter);
    }

    @Override
    protected ConntrackEvents newEvents(int receiveBuffer, DecodeStats stats, int... groups) throws Exception {
        JnaNetlinkSocket s = ns.call(() -> JnaNetlinkSocket.netfilter(groups));
        try {
            ConntrackEvents.sizeReceiveBuffer(s, receiveBuffer);
            s.setReceiveTimeout(Duration.ofMillis(100));
        } catch (Exception e) {
            s.close();
            throw e;
        }
        return new ConntrackEvents(s, stats);
    }

    @Override
    protected int countSeenFromOutside(int family) {
        return ConntrackTool.list(ns, "-f", family == Sockets.AF_INET6 ? "ipv6" : "ipv4").size();
    }

    @Override
    protected void assertSeenFromOutside(Flow read) {
        List<ConntrackTool.Entry> listed = ConntrackTool.list(ns, "-f", read.orig().isIpv6() ? "ipv6" : "ipv4");
        Optional<ConntrackTool.Entry> entry = listed.stream()
                .filter(e -> matches(e.orig(), read.orig()) && zone(e) == read.zone()).findFirst();
        assertThat(entry).as("conntrack -L lists %s", read).hasValueSatisfying(e -> {
            assertThat(matches(e.reply(), read.reply())).as("reply tuple %s of %s", e.reply(), read).isTrue();
            long mark = read.mark() == Flow.ABSENT ? 0 : read.mark();
            assertThat(Long.parseLong(e.extra().getOrDefault("mark", "0"))).isEqualTo(mark);
        });
    }

    private static int zone(ConntrackTool.Entry e) {
        return Integer.parseInt(e.extra().getOrDefault("zone", "0"));
    }

    /** Whether conntrack's key=value pairs name this tuple (addresses compared as addresses). */
    private static boolean matches(Map<String, String> pairs, Tuple t) {
        try {
            boolean same = InetAddress.getByName(pairs.get("src")).equals(t.src())
                    && InetAddress.getByName(pairs.get("dst")).equals(t.dst());
            if (Tuple.hasPorts(t.protocol())) {
                same &= String.valueOf(t.srcPort()).equals(pairs.get("sport"))
                        && String.valueOf(t.dstPort()).equals(pairs.get("dport"));
            }
            return same;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    @Override
    protected void assertTimeout(long read, long written) {
        assertThat(read).as("timeout (runs down from %d)", written).isBetween(written - 10, written);
    }

    @Test
    void flowCreatedThroughTheApiIsListedByConntrackWithTheSameAttributes() throws Exception {
        Flow f = tcpEstablished("10.1.0.1", "10.2.0.1", 40000, 443).toBuilder().mark(77).zone(5).build();
        ct.create(f);

        List<ConntrackTool.Entry> listed = ConntrackTool.list(ns);
        assertThat(listed).hasSize(1);
        ConntrackTool.Entry e = listed.get(0);
        assertThat(e.proto()).isEqualTo("tcp");
        assertThat(e.state()).isEqualTo("ESTABLISHED");
        assertThat(e.timeout()).isBetween(290L, 300L);
        assertThat(e.orig()).containsEntry("src", "10.1.0.1").containsEntry("dst", "10.2.0.1")
                .containsEntry("sport", "40000").containsEntry("dport", "443");
        assertThat(e.reply()).containsEntry("src", "10.2.0.1").containsEntry("dst", "10.1.0.1")
                .containsEntry("sport", "443").containsEntry("dport", "40000");
        assertThat(e.flags()).contains("ASSURED").doesNotContain("UNREPLIED");
        assertThat(e.extra()).containsEntry("mark", "77").containsEntry("zone", "5");
    }

    @Test
    void flowInsertedByConntrackToolIsDumpedWithTheSameAttributes() throws Exception {
        ns.exec("conntrack", "-I", "-p", "udp", "-s", "192.0.2.1", "-d", "198.51.100.7", "--sport", "5353",
                "--dport", "53", "-t", "120", "-u", "SEEN_REPLY,ASSURED", "-m", "9");

        List<Flow> flows = ct.dump(Sockets.AF_INET);
        assertThat(flows).hasSize(1);
        Flow f = flows.get(0);
        assertThat(f.orig()).isEqualTo(Tuple.udp(ip("192.0.2.1"), ip("198.51.100.7"), 5353, 53));
        assertThat(f.reply()).isEqualTo(f.orig().inverse());
        assertThat(f.timeout()).isBetween(110L, 120L);
        assertThat(f.mark()).isEqualTo(9);
        assertThat(f.hasStatus(Ctnl.IPS_ASSURED | Ctnl.IPS_SEEN_REPLY | Ctnl.IPS_CONFIRMED)).isTrue();
        assertThat(f.id()).isNotEqualTo(Flow.ABSENT);
        assertThat(ct.stats().malformedMessages.get()).isZero();
    }

    @Test
    void ipv6FlowCreatedByToolAndApiAgree() throws Exception {
        ns.exec("conntrack", "-I", "-p", "tcp", "-s", "2001:db8:1::10", "-d", "2001:db8:2::20",
                "--sport", "33000", "--dport", "443", "--state", "ESTABLISHED", "-t", "200", "-u", "ASSURED");
        ct.create(tcpEstablished("2001:db8:1::11", "2001:db8:2::20", 33001, 443));

        Optional<Flow> fromTool = ct.get(Tuple.tcp(ip("2001:db8:1::10"), ip("2001:db8:2::20"), 33000, 443), 0);
        assertThat(fromTool).isPresent();
        assertThat(fromTool.get().tcp().state()).isEqualTo(TcpInfo.ESTABLISHED);
        assertThat(fromTool.get().hasStatus(Ctnl.IPS_ASSURED)).isTrue();

        List<ConntrackTool.Entry> listed = ConntrackTool.list(ns, "-f", "ipv6", "-s", "2001:db8:1::11");
        assertThat(listed).singleElement().satisfies(e -> {
            assertThat(e.state()).isEqualTo("ESTABLISHED");
            assertThat(e.orig()).containsEntry("sport", "33001").containsEntry("dst", "2001:db8:2::20");
        });
    }

    @Test
    void batchWhoseErrorAnswersOverrunTheReceiveBufferReportsEnobufsWithoutWaitingForTheTimeout() throws Exception {
        List<Flow> flows = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            flows.add(tcpEstablished("10.11." + (i / 250) + "." + (1 + i % 250), "10.12.0.1", 1024 + i, 443));
        }
        assertThat(ct.batch(flows, BatchMode.CREATE).succeeded()).isEqualTo(2000);
        try (JnaNetlinkSocket small = ns.call(JnaNetlinkSocket::netfilter)) {
            // room for a few error answers per chunk: the kernel drops the rest, the chunk's final ack too
            small.setReceiveBufferSize(4096);
            small.setNetlinkOption(Netlink.NETLINK_CAP_ACK, true);
            small.setReceiveTimeout(Duration.ofSeconds(5));
            Conntrack overrun = new Conntrack(small, new DecodeStats());

            long t0 = System.nanoTime();
            BatchResult r = overrun.batch(flows, BatchMode.CREATE);

            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
            assertThat(r.count(Errno.EEXIST)).isPositive();
            assertThat(r.count(Errno.ENOBUFS)).isPositive();
            assertThat(r.succeeded()).as("no lost answer taken for success").isZero();
        }
    }

    @Test
    void aPollTakesTheQueuedEventsManyDatagramsAtATime() throws Exception {
        ConntrackEvents events = openAllEvents(1 << 20, new DecodeStats());
        // the batch's events are all queued on the socket once the batch call returns
        assertThat(ct.batch(FakeKernelFixtures.tcpFlows(320, 30000), BatchMode.CREATE).succeeded()).isEqualTo(320);
        ConntrackContract.Recorder r = new ConntrackContract.Recorder();
        int polls = 0;
        while (polls < 1000 && r.seen.size() < 320) {
            events.poll(r);
            polls++;
        }

        assertThat(r.seen).hasSize(320);
        // one event per datagram, one receive per 32 of them
        assertThat(polls).isEqualTo(320 / ConntrackEvents.DATAGRAMS_PER_RECEIVE);
    }

    @Test
    void eventsCausedByAGivenPortCanBeDroppedInTheKernel() throws Exception {
        DecodeStats stats = new DecodeStats();
        try (ConntrackEvents events = ns.call(() -> ConntrackEvents.open(1 << 20, false, Duration.ofMillis(100), stats))) {
            assertThat(events.socket().dropMessagesFromPort(ct.socket().portId())).isTrue();
            ct.create(tcpEstablished("10.12.0.1", "10.12.0.2", 1, 2));             // ours: filtered
            ns.exec("conntrack", "-I", "-p", "tcp", "-s", "10.12.0.3", "-d", "10.12.0.2", "--sport", "1",
                    "--dport", "2", "--state", "ESTABLISHED", "-t", "100");           // someone else's
            List<FlowEvent> seen = new CopyOnWriteArrayList<>();
            ConntrackEvents.Listener l = new ConntrackEvents.Listener() {
                @Override
                public void onEvent(FlowEvent e) {
                    seen.add(e);
                }

                @Override
                public void onOverrun() {
                }
            };
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                events.poll(l);
                return !seen.isEmpty();
            });
            events.poll(l); // anything else queued
            assertThat(seen).singleElement().satisfies(e -> assertThat(e.flow().orig().src()).isEqualTo(ip("10.12.0.3")));
        }
    }
}
