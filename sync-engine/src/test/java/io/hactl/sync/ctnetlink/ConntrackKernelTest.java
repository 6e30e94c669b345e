package io.hactl.sync.ctnetlink;

import io.hactl.sync.netlink.Netlink;
import io.hactl.sync.sys.Sockets;
import io.hactl.sync.netlink.AttrWriter;
import io.hactl.sync.netlink.Errno;
import io.hactl.sync.netlink.JnaNetlinkSocket;
import io.hactl.sync.netlink.NetlinkException;
import io.hactl.sync.netlink.NetlinkSocket;
import io.hactl.sync.netlink.NlMsg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.FlowEvent;
import io.hactl.sync.conntrack.NatRange;
import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import io.hactl.sync.lab.ConntrackTool;
import io.hactl.sync.lab.LabTest;
import io.hactl.sync.lab.Netns;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ctnetlink against the real kernel, each test in a fresh network namespace. */
@LabTest(tools = "conntrack")
class ConntrackKernelTest {
    private Netns ns;
    private Conntrack ct;

    @BeforeEach
    void setUp() throws Exception {
        ns = Netns.create("ct");
        ct = ns.call(Conntrack::open);
    }

    @AfterEach
    void tearDown() {
        if (ct != null) {
            ct.close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    static Flow tcpEstablished(String src, String dst, int sport, int dport) throws Exception {
        return Flow.builder(Tuple.tcp(ip(src), ip(dst), sport, dport))
                .status(Ctnl.IPS_SEEN_REPLY | Ctnl.IPS_ASSURED)
                .timeout(300)
                .protoInfo(TcpInfo.ofState(TcpInfo.ESTABLISHED))
                .build();
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
    void dumpReturnsWhatWasWrittenForEveryProtocolFamily() throws Exception {
        List<Flow> written = List.of(
                tcpEstablished("10.0.0.1", "10.0.0.2", 1234, 80).toBuilder()
                        .protoInfo(new TcpInfo(TcpInfo.ESTABLISHED, 7, 8,
                                Ctnl.IP_CT_TCP_FLAG_WINDOW_SCALE | Ctnl.IP_CT_TCP_FLAG_SACK_PERM,
                                Ctnl.IP_CT_TCP_FLAG_WINDOW_SCALE))
                        .mark(0xdeadbeefL).build(),
                Flow.builder(Tuple.udp(ip("10.0.0.1"), ip("10.0.0.3"), 999, 53)).timeout(30).mark(1).build(),
                Flow.builder(Tuple.icmp(ip("10.0.0.1"), ip("10.0.0.4"), 8, 0, 4711)).timeout(30).mark(2).build(),
                Flow.builder(Tuple.ports(ip("10.0.0.1"), ip("10.0.0.5"), Tuple.SCTP, 3868, 3868)).timeout(60)
                        .mark(3).build(),
                Flow.builder(Tuple.other(ip("10.0.0.1"), ip("10.0.0.6"), 253)).timeout(60).mark(4).build(),
                tcpEstablished("2001:db8::1", "2001:db8::2", 5555, 22).toBuilder().mark(5).build(),
                Flow.builder(Tuple.icmp(ip("2001:db8::1"), ip("2001:db8::3"), 128, 0, 77)).timeout(30).mark(6).build(),
                Flow.builder(Tuple.udp(ip("2001:db8::1"), ip("2001:db8::4"), 546, 547)).timeout(30).zone(9).mark(7).build());
        for (Flow f : written) {
            ct.create(f);
        }

        List<Flow> dumped = ct.dump(Sockets.AF_UNSPEC);
        assertThat(dumped).hasSize(written.size());
        for (Flow w : written) {
            Optional<Flow> d = dumped.stream().filter(x -> x.orig().equals(w.orig()) && x.zone() == w.zone()).findFirst();
            assertThat(d).as("dumped %s", w).isPresent();
            assertThat(d.get().reply()).isEqualTo(w.replyOrInverse());
            assertThat(d.get().mark()).isEqualTo(w.mark());
            assertThat(d.get().timeout()).isBetween(w.timeout() - 10, w.timeout());
            if (w.protoInfo() instanceof TcpInfo t) {
                TcpInfo got = d.get().tcp();
                assertThat(got.state()).isEqualTo(t.state());
                assertThat(got.wscaleOrig()).isEqualTo(t.wscaleOrig());
                assertThat(got.wscaleReply()).isEqualTo(t.wscaleReply());
                assertThat(got.flagsOrig()).isEqualTo(t.flagsOrig());
                assertThat(got.flagsReply()).isEqualTo(t.flagsReply());
            }
        }
        assertThat(ct.dump(Sockets.AF_INET6)).hasSize(3);
        assertThat(ct.dump(Sockets.AF_INET)).hasSize(5);
        assertThat(ct.count()).isEqualTo(written.size());
        assertThat(ConntrackTool.list(ns, "-f", "ipv6")).hasSize(3);
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
    void kernelRefusesCtNewWithoutConfirmedStatusSoTheCodecAlwaysSetsIt() throws Exception {
        Flow f = tcpEstablished("10.10.0.1", "10.10.0.2", 4000, 80); // status lacks IPS_CONFIRMED
        // hand-built request carrying the status exactly as given
        AttrWriter w = new AttrWriter(512);
        int m = Nfgenmsg.begin(w, Ctnl.ctMessageType(Ctnl.IPCTNL_MSG_CT_NEW),
                Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK | Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, 42, Sockets.AF_INET, 0);
        TupleCodec.encode(w, Ctnl.CTA_TUPLE_ORIG, f.orig());
        TupleCodec.encode(w, Ctnl.CTA_TUPLE_REPLY, f.orig().inverse());
        w.putU32(Ctnl.CTA_STATUS, f.status());
        w.putU32(Ctnl.CTA_TIMEOUT, f.timeout());
        w.endMessage(m);
        int errno;
        try (NetlinkSocket raw = ns.call(JnaNetlinkSocket::netfilter)) {
            raw.setReceiveTimeout(Duration.ofSeconds(5));
            raw.send(w.flipped());
            java.nio.ByteBuffer rx = java.nio.ByteBuffer.allocate(4096);
            raw.receive(rx);
            NlMsg answer = Nfgenmsg.read(rx, 0);
            assertThat(answer.type()).isEqualTo(Netlink.NLMSG_ERROR);
            errno = answer.errno(rx);
        }
        assertThat(errno).as("kernel answer to CT_NEW without IPS_CONFIRMED").isEqualTo(Errno.EBUSY);

        ct.create(f); // through the codec: accepted
        assertThat(ct.get(f.orig(), 0)).isPresent();
    }

    @Test
    void updateChangesMarkTimeoutAndState() throws Exception {
        Flow f = tcpEstablished("10.9.0.1", "10.9.0.2", 1000, 2000);
        ct.create(f);
        ct.update(f.toBuilder().mark(42).timeout(1000).protoInfo(TcpInfo.ofState(TcpInfo.FIN_WAIT)).build());

        Flow got = ct.get(f.orig(), 0).orElseThrow();
        assertThat(got.mark()).isEqualTo(42);
        assertThat(got.timeout()).isGreaterThan(900);
        assertThat(got.tcp().state()).isEqualTo(TcpInfo.FIN_WAIT);

        Flow missing = tcpEstablished("10.9.0.1", "10.9.0.2", 1001, 2000);
        assertThatThrownBy(() -> ct.update(missing))
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));
        assertThatThrownBy(() -> ct.create(f))
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EEXIST));
    }

    @Test
    void deleteAndFlushRemoveEntries() throws Exception {
        for (int i = 0; i < 10; i++) {
            ct.create(tcpEstablished("10.3.0.1", "10.3.0.2", 10000 + i, 80));
        }
        ns.exec("conntrack", "-I", "-p", "udp", "-s", "2001:db8::1", "-d", "2001:db8::2",
                "--sport", "1", "--dport", "2", "-t", "50");
        Tuple first = Tuple.tcp(ip("10.3.0.1"), ip("10.3.0.2"), 10000, 80);
        ct.delete(first, 0);

        assertThat(ct.get(first, 0)).isEmpty();
        assertThat(ct.count()).isEqualTo(10);
        assertThatThrownBy(() -> ct.delete(first, 0))
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));

        ct.flush(Sockets.AF_INET);
        assertThat(ct.dump(Sockets.AF_INET)).isEmpty();
        assertThat(ct.dump(Sockets.AF_INET6)).hasSize(1);
        ct.flush(Sockets.AF_UNSPEC);
        assertThat(ct.count()).isZero();
        assertThat(ConntrackTool.list(ns)).isEmpty();
    }

    @Test
    void batchWithDuplicatesInsertsAllOthersAndReportsEexistExactlyForTheDuplicates() throws Exception {
        List<Flow> batch = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            batch.add(tcpEstablished("10.4." + (i / 250) + "." + (1 + i % 250), "10.5.0.1", 20000 + i, 443));
        }
        // three already in the kernel, two repeated inside the batch
        ct.create(batch.get(10));
        ct.create(batch.get(1500));
        ct.create(batch.get(2999));
        batch.add(batch.get(7));
        batch.add(1200, batch.get(1100));

        BatchResult r = ct.batch(batch, BatchMode.CREATE);

        List<Integer> eexist = new ArrayList<>();
        for (int i = 0; i < r.size(); i++) {
            if (!r.ok(i)) {
                assertThat(r.errno(i)).as("errno of #%d", i).isEqualTo(Errno.EEXIST);
                eexist.add(i);
            }
        }
        // indices after the insertion at 1200 are shifted by one
        assertThat(eexist).containsExactly(10, 1200, 1501, 3000, 3001);
        assertThat(r.sends()).isGreaterThan(1);
        assertThat(ct.count()).isEqualTo(3000);
        assertThat(ConntrackTool.list(ns)).hasSize(3000);
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
    void batchUpdateAndUpsert() throws Exception {
        List<Flow> flows = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            flows.add(tcpEstablished("10.6.0.1", "10.6.0.2", 30000 + i, 22));
        }
        BatchResult missing = ct.batch(flows, BatchMode.UPDATE);
        assertThat(missing.count(Errno.ENOENT)).isEqualTo(500);

        assertThat(ct.batch(flows.subList(0, 250), BatchMode.CREATE).succeeded()).isEqualTo(250);
        List<Flow> marked = flows.stream().map(f -> f.toBuilder().mark(5).build()).toList();
        BatchResult upsert = ct.batch(marked, BatchMode.CREATE_OR_UPDATE);
        assertThat(upsert.succeeded()).isEqualTo(500);
        assertThat(ct.dump(Sockets.AF_INET)).hasSize(500).allSatisfy(f -> assertThat(f.mark()).isEqualTo(5));
    }

    @Test
    void batchDeleteRemovesEntriesAndReportsThoseAlreadyGone() throws Exception {
        List<Flow> flows = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            flows.add(tcpEstablished("10.11.0.1", "10.11.0.2", 10000 + i, 80).toBuilder().zone(i % 2).build());
        }
        assertThat(ct.batch(flows, BatchMode.CREATE).succeeded()).isEqualTo(2000);
        ct.delete(flows.get(5).orig(), flows.get(5).zone());

        BatchResult r = ct.batchDelete(flows);

        assertThat(r.count(Errno.ENOENT)).isEqualTo(1);
        assertThat(r.errno(5)).isEqualTo(Errno.ENOENT);
        assertThat(r.succeeded()).isEqualTo(1999);
        assertThat(ct.count()).isZero();
    }

    @Test
    void sourceNatIsSetUpFromCtaNatSrc() throws Exception {
        Flow f = tcpEstablished("192.168.10.5", "203.0.113.9", 45000, 443).toBuilder()
                .snat(NatRange.to(ip("198.51.100.1"), 61000)).build();
        ct.create(f);

        Flow got = ct.get(f.orig(), 0).orElseThrow();
        assertThat(got.reply()).isEqualTo(Tuple.tcp(ip("203.0.113.9"), ip("198.51.100.1"), 443, 61000));
        assertThat(got.hasStatus(Ctnl.IPS_SRC_NAT)).isTrue();
        assertThat(ConntrackTool.list(ns)).singleElement()
                .satisfies(e -> assertThat(e.reply()).containsEntry("dst", "198.51.100.1").containsEntry("dport", "61000"));
    }

    @Test
    void eventsArriveForFlowsChangedByTheConntrackTool() throws Exception {
        DecodeStats stats = new DecodeStats();
        try (ConntrackEvents events = ns.call(() -> ConntrackEvents.open(1 << 20, false, Duration.ofMillis(100), stats))) {
            List<FlowEvent> seen = new CopyOnWriteArrayList<>();
            ConntrackEvents.Listener listener = new ConntrackEvents.Listener() {
                @Override
                public void onEvent(FlowEvent event) {
                    seen.add(event);
                }

                @Override
                public void onOverrun() {
                    throw new AssertionError("no overrun expected");
                }
            };
            ns.exec("conntrack", "-I", "-p", "tcp", "-s", "10.7.0.1", "-d", "10.7.0.2", "--sport", "1111",
                    "--dport", "80", "--state", "ESTABLISHED", "-t", "100", "-u", "ASSURED");
            ns.exec("conntrack", "-U", "-p", "tcp", "-s", "10.7.0.1", "-d", "10.7.0.2", "--sport", "1111",
                    "--dport", "80", "-m", "3");
            ns.exec("conntrack", "-D", "-p", "tcp", "-s", "10.7.0.1", "-d", "10.7.0.2", "--sport", "1111",
                    "--dport", "80");
            ct.create(tcpEstablished("10.7.0.3", "10.7.0.2", 2222, 80));

            await().atMost(Duration.ofSeconds(10)).until(() -> {
                events.poll(listener);
                return seen.size() >= 4;
            });

            Tuple t = Tuple.tcp(ip("10.7.0.1"), ip("10.7.0.2"), 1111, 80);
            assertThat(seen).extracting(FlowEvent::type).containsExactly(
                    FlowEvent.Type.NEW, FlowEvent.Type.UPDATE, FlowEvent.Type.DESTROY, FlowEvent.Type.NEW);
            assertThat(seen.subList(0, 3)).allSatisfy(e -> assertThat(e.flow().orig()).isEqualTo(t));
            assertThat(seen.get(1).flow().mark()).isEqualTo(3);
            // our own write is recognisable by its origin port
            assertThat(seen.get(3).originPort()).isEqualTo(ct.socket().portId());
            assertThat(seen.get(0).originPort()).isNotEqualTo(ct.socket().portId());
            assertThat(stats.malformedMessages.get()).isZero();
        }
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

    @Test
    void eventOverrunIsReportedNotSwallowed() throws Exception {
        DecodeStats stats = new DecodeStats();
        try (ConntrackEvents events = ns.call(() -> ConntrackEvents.open(4096, false, Duration.ofMillis(100), stats))) {
            List<Flow> flows = new ArrayList<>();
            for (int i = 0; i < 5000; i++) {
                flows.add(tcpEstablished("10.8." + (i / 250) + "." + (1 + i % 250), "10.8.99.1", 1024 + i, 80));
            }
            assertThat(ct.batch(flows, BatchMode.CREATE).succeeded()).isEqualTo(5000);

            int[] overruns = {0};
            int[] received = {0};
            ConntrackEvents.Listener listener = new ConntrackEvents.Listener() {
                @Override
                public void onEvent(FlowEvent event) {
                    received[0]++;
                }

                @Override
                public void onOverrun() {
                    overruns[0]++;
                }
            };
            // drain: a bounded number of polls, each at most 100 ms
            for (int i = 0; i < 10_000 && overruns[0] == 0; i++) {
                if (events.poll(listener) == 0 && overruns[0] == 0) {
                    break;
                }
            }
            assertThat(overruns[0]).isEqualTo(1);
            assertThat(events.overruns()).isEqualTo(1);
            assertThat(received[0]).isLessThan(5000);
        }
    }
}
