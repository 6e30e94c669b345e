package io.hactl.sync.ctnetlink;

import static io.hactl.sync.ctnetlink.FakeKernelFixtures.ip;
import static io.hactl.sync.ctnetlink.FakeKernelFixtures.tcpEstablished;
import static io.hactl.sync.ctnetlink.FakeKernelFixtures.tcpFlows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.FlowEvent;
import io.hactl.sync.conntrack.NatRange;
import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import io.hactl.sync.netlink.AttrWriter;
import io.hactl.sync.netlink.Errno;
import io.hactl.sync.netlink.NetlinkException;
import io.hactl.sync.netlink.NetlinkSocket;
import io.hactl.sync.netlink.Netlink;
import io.hactl.sync.netlink.NlMsg;
import io.hactl.sync.sys.Sockets;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link Conntrack} and {@link ConntrackEvents} do against a conntrack table, written once
 * and run twice: against the in-memory kernel ({@link InMemoryConntrackContractTest}, always) and
 * the real one in a fresh network namespace ({@link KernelConntrackContractLabTest}, as root). A
 * scenario passing on the real kernel and failing on the in-memory one is a bug of the fake.
 */
abstract class ConntrackContract {
    /** The connection under test; subclasses give more through {@link #openConntrack}. */
    protected Conntrack ct;
    private final List<AutoCloseable> opened = new ArrayList<>();

    /** Sets up a fresh, empty table for one test. */
    protected abstract void openTable() throws Exception;

    /** Tears the table down (after every connection opened on it is closed). */
    protected abstract void closeTable();

    /** A new ctnetlink connection to the table, with a port id of its own. */
    protected abstract Conntrack newConntrack() throws Exception;

    /** A new bare netlink socket to the table, for requests the codec would never build. */
    protected abstract NetlinkSocket newRawSocket() throws Exception;

    /**
     * A new event reader joined to {@code groups}, its receive buffer sized with
     * {@link ConntrackEvents#sizeReceiveBuffer}, its poll blocking at most 100 ms.
     */
    protected abstract ConntrackEvents newEvents(int receiveBuffer, DecodeStats stats, int... groups) throws Exception;

    /** Entries of {@code family} (AF_INET or AF_INET6) as an observer other than hactl's codec sees them. */
    protected abstract int countSeenFromOutside(int family);

    /** Asserts that an observer other than hactl's codec sees {@code read}'s tuples, mark and zone. */
    protected abstract void assertSeenFromOutside(Flow read);

    /** Asserts a timeout read back against the one written: the real kernel's runs down meanwhile. */
    protected abstract void assertTimeout(long read, long written);

    @BeforeEach
    void openConnection() throws Exception {
        openTable();
        ct = openConntrack();
    }

    @AfterEach
    void closeAll() {
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (Exception ignored) {
                // best effort: the table goes next
            }
        }
        closeTable();
    }

    protected final Conntrack openConntrack() throws Exception {
        return track(newConntrack());
    }

    private ConntrackEvents openEvents(int receiveBuffer, DecodeStats stats, int... groups) throws Exception {
        return track(newEvents(receiveBuffer, stats, groups));
    }

    protected ConntrackEvents openAllEvents(int receiveBuffer, DecodeStats stats) throws Exception {
        return openEvents(receiveBuffer, stats, Ctnl.NFNLGRP_CONNTRACK_NEW, Ctnl.NFNLGRP_CONNTRACK_UPDATE,
                Ctnl.NFNLGRP_CONNTRACK_DESTROY);
    }

    private <T extends AutoCloseable> T track(T c) {
        opened.add(c);
        return c;
    }

    private static void assertErrno(ThrowingCallable call, int errno) {
        assertThatThrownBy(call).isInstanceOfSatisfying(NetlinkException.class,
                e -> assertThat(e.errno()).as(e.getMessage()).isEqualTo(errno));
    }

    // ---------------------------------------------------------------- single requests

    @Test
    void createdFlowIsReadBackWithInverseReplyConfirmedStatusAndKernelId() throws Exception {
        Flow f = tcpEstablished("10.1.0.1", "10.2.0.1", 40000, 443).toBuilder().mark(77).zone(5).build();
        ct.create(f);

        Flow got = ct.get(f.orig(), 5).orElseThrow();
        assertThat(got.reply()).isEqualTo(f.orig().inverse());
        assertThat(got.zone()).isEqualTo(5);
        assertThat(got.mark()).isEqualTo(77);
        assertTimeout(got.timeout(), 300);
        assertThat(got.tcp().state()).isEqualTo(TcpInfo.ESTABLISHED);
        assertThat(got.hasStatus(Ctnl.IPS_CONFIRMED | Ctnl.IPS_ASSURED | Ctnl.IPS_SEEN_REPLY)).isTrue();
        assertThat(got.id()).isNotEqualTo(Flow.ABSENT);
        assertThat(ct.get(f.orig(), 0)).as("same tuple, default zone").isEmpty();
        assertSeenFromOutside(got);
        assertThat(ct.stats().malformedMessages.get()).isZero();
        assertThat(ct.stats().unknownAttributes.get()).isZero();
    }

    @Test
    void createOfAnExistingFlowFailsWithEexist() throws Exception {
        Flow f = tcpEstablished("10.9.0.1", "10.9.0.2", 1000, 2000);
        ct.create(f);

        assertErrno(() -> ct.create(f), Errno.EEXIST);
        assertThat(countSeenFromOutside(Sockets.AF_INET)).isEqualTo(1);
    }

    @Test
    void updateChangesMarkTimeoutAndStateAndFailsWithEnoentForAMissingFlow() throws Exception {
        Flow f = tcpEstablished("10.9.0.1", "10.9.0.2", 1000, 2000);
        ct.create(f);
        ct.update(f.toBuilder().mark(42).timeout(1000).protoInfo(TcpInfo.ofState(TcpInfo.FIN_WAIT)).build());

        Flow got = ct.get(f.orig(), 0).orElseThrow();
        assertThat(got.mark()).isEqualTo(42);
        assertTimeout(got.timeout(), 1000);
        assertThat(got.tcp().state()).isEqualTo(TcpInfo.FIN_WAIT);
        assertErrno(() -> ct.update(tcpEstablished("10.9.0.1", "10.9.0.2", 1001, 2000)), Errno.ENOENT);
    }

    @Test
    void getOfAMissingFlowIsEmpty() throws Exception {
        assertThat(ct.get(Tuple.udp(ip("192.0.2.1"), ip("192.0.2.2"), 1, 2), 0)).isEmpty();
    }

    @Test
    void createWithoutTimeoutFailsWithEinval() throws Exception {
        Flow noTimeout = Flow.builder(Tuple.udp(ip("192.0.2.1"), ip("192.0.2.2"), 1, 2)).build();

        assertErrno(() -> ct.create(noTimeout), Errno.EINVAL);
        assertThat(ct.count()).isZero();
    }

    @Test
    void ctNewWhoseStatusLacksConfirmedIsRefusedWithEbusySoTheCodecAlwaysSetsIt() throws Exception {
        Flow f = tcpEstablished("10.10.0.1", "10.10.0.2", 4000, 80); // status lacks IPS_CONFIRMED
        // hand-built request carrying the status exactly as given
        AttrWriter w = new AttrWriter(512);
        int m = Nfgenmsg.begin(w, Ctnl.ctMessageType(Ctnl.IPCTNL_MSG_CT_NEW),
                Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK | Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, 42,
                Sockets.AF_INET, 0);
        TupleCodec.encode(w, Ctnl.CTA_TUPLE_ORIG, f.orig());
        TupleCodec.encode(w, Ctnl.CTA_TUPLE_REPLY, f.orig().inverse());
        w.putU32(Ctnl.CTA_STATUS, f.status());
        w.putU32(Ctnl.CTA_TIMEOUT, f.timeout());
        w.endMessage(m);
        NetlinkSocket raw = track(newRawSocket());
        raw.setReceiveTimeout(Duration.ofSeconds(5));
        raw.send(w.flipped());
        ByteBuffer rx = ByteBuffer.allocate(4096);
        raw.receive(rx);
        NlMsg answer = Nfgenmsg.read(rx, 0);

        assertThat(answer.type()).isEqualTo(Netlink.NLMSG_ERROR);
        assertThat(answer.seq()).isEqualTo(42);
        assertThat(answer.errno(rx)).as("answer to CT_NEW without IPS_CONFIRMED").isEqualTo(Errno.EBUSY);
        assertThat(ct.count()).isZero();

        ct.create(f); // through the codec: accepted
        assertThat(ct.get(f.orig(), 0)).isPresent();
    }

    @Test
    void deleteRemovesOnlyThatEntryAndASecondDeleteFailsWithEnoent() throws Exception {
        List<Flow> flows = tcpFlows(10, 10000);
        for (Flow f : flows) {
            ct.create(f);
        }
        Tuple first = flows.get(0).orig();
        ct.delete(first, 0);

        assertThat(ct.get(first, 0)).isEmpty();
        assertThat(ct.count()).isEqualTo(9);
        assertErrno(() -> ct.delete(first, 0), Errno.ENOENT);
        assertThat(countSeenFromOutside(Sockets.AF_INET)).isEqualTo(9);
    }

    @Test
    void flushOfOneFamilyLeavesTheOtherAndFlushOfAllEmptiesTheTable() throws Exception {
        for (Flow f : tcpFlows(5, 10000)) {
            ct.create(f);
        }
        ct.create(Flow.builder(Tuple.udp(ip("2001:db8::1"), ip("2001:db8::2"), 1, 2)).timeout(50).build());

        ct.flush(Sockets.AF_INET);
        assertThat(ct.dump(Sockets.AF_INET)).isEmpty();
        assertThat(ct.dump(Sockets.AF_INET6)).hasSize(1);

        ct.flush(Sockets.AF_UNSPEC);
        assertThat(ct.count()).isZero();
        assertThat(countSeenFromOutside(Sockets.AF_INET) + countSeenFromOutside(Sockets.AF_INET6)).isZero();
    }

    @Test
    void countFollowsCreatesAndDeletes() throws Exception {
        assertThat(ct.count()).isZero();
        List<Flow> flows = tcpFlows(7, 5000);
        for (Flow f : flows) {
            ct.create(f);
        }
        assertThat(ct.count()).isEqualTo(7);
        ct.delete(flows.get(3).orig(), 0);
        assertThat(ct.count()).isEqualTo(6);
    }

    @Test
    void sourceNatRewritesTheReplyTupleAndSetsTheNatStatus() throws Exception {
        Flow f = tcpEstablished("192.168.10.5", "203.0.113.9", 45000, 443).toBuilder()
                .snat(NatRange.to(ip("198.51.100.1"), 61000)).build();
        ct.create(f);

        Flow got = ct.get(f.orig(), 0).orElseThrow();
        assertThat(got.reply()).isEqualTo(Tuple.tcp(ip("203.0.113.9"), ip("198.51.100.1"), 443, 61000));
        assertThat(got.hasStatus(Ctnl.IPS_SRC_NAT)).isTrue();
        assertThat(got.snat()).as("the kernel does not report NAT ranges").isNull();
        assertSeenFromOutside(got);
    }

    // ---------------------------------------------------------------- dumps

    @Test
    void dumpReturnsWhatWasWrittenForEveryProtocolAndFiltersByFamily() throws Exception {
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
                Flow.builder(Tuple.udp(ip("2001:db8::1"), ip("2001:db8::4"), 546, 547)).timeout(30).zone(9).mark(7)
                        .build());
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
            assertTimeout(d.get().timeout(), w.timeout());
            if (w.protoInfo() != null) {
                assertThat(d.get().protoInfo()).isEqualTo(w.protoInfo());
            }
        }
        assertThat(ct.dump(Sockets.AF_INET6)).hasSize(3).allSatisfy(f -> assertThat(f.orig().isIpv6()).isTrue());
        assertThat(ct.dump(Sockets.AF_INET)).hasSize(5).allSatisfy(f -> assertThat(f.orig().isIpv4()).isTrue());
        assertThat(ct.count()).isEqualTo(written.size());
        assertThat(countSeenFromOutside(Sockets.AF_INET6)).isEqualTo(3);
        assertThat(ct.stats().malformedMessages.get()).isZero();
    }

    /**
     * A count with a filter reads only what the filter judges of each entry (no flow decoded):
     * for every kind of filter it agrees with the filter applied to the dumped flows.
     */
    @Test
    void aFilteredCountAgreesWithTheFilterOnTheDumpedFlows() throws Exception {
        List<Flow> written = List.of(
                tcpEstablished("10.0.0.1", "10.0.0.2", 1234, 80),
                tcpEstablished("10.9.0.1", "10.0.0.2", 1235, 80),
                tcpEstablished("10.0.0.1", "10.0.0.7", 1236, 80).toBuilder()
                        .protoInfo(TcpInfo.ofState(TcpInfo.TIME_WAIT)).build(),
                Flow.builder(Tuple.udp(ip("10.0.0.1"), ip("10.9.0.3"), 999, 53)).timeout(30).build(),
                Flow.builder(Tuple.icmp(ip("10.0.0.1"), ip("10.0.0.4"), 8, 0, 4711)).timeout(30).build(),
                Flow.builder(Tuple.other(ip("10.0.0.1"), ip("10.0.0.6"), 253)).timeout(60).build(),
                tcpEstablished("2001:db8::1", "2001:db8::2", 5555, 22),
                Flow.builder(Tuple.udp(ip("2001:db9::1"), ip("2001:db8::4"), 546, 547)).timeout(30).build());
        for (Flow f : written) {
            ct.create(f);
        }
        List<io.hactl.sync.filter.FlowFilter> filters = List.of(io.hactl.sync.filter.FlowFilter.ACCEPT_ALL,
                new io.hactl.sync.filter.FlowFilter(java.util.Set.of(Tuple.UDP), List.of(), java.util.Set.of()),
                new io.hactl.sync.filter.FlowFilter(java.util.Set.of(), List.of(io.hactl.sync.filter.Cidr.parse("10.9.0.0/16"),
                        io.hactl.sync.filter.Cidr.parse("2001:db9::/32")), java.util.Set.of()),
                new io.hactl.sync.filter.FlowFilter(java.util.Set.of(), List.of(), java.util.Set.of(TcpInfo.ESTABLISHED)),
                new io.hactl.sync.filter.FlowFilter(java.util.Set.of(Tuple.TCP, Tuple.UDP),
                        List.of(io.hactl.sync.filter.Cidr.parse("10.9.0.0/16")), java.util.Set.of(TcpInfo.ESTABLISHED)));
        List<Flow> dumped = ct.dump(Sockets.AF_UNSPEC);
        assertThat(dumped).hasSize(written.size());
        for (io.hactl.sync.filter.FlowFilter filter : filters) {
            assertThat(ct.count(Sockets.AF_UNSPEC, filter)).as("%s", filter)
                    .isEqualTo(dumped.stream().filter(filter::accepts).count());
            assertThat(ct.count(Sockets.AF_INET, filter)).as("IPv4, %s", filter)
                    .isEqualTo(dumped.stream().filter(f -> f.orig().isIpv4()).filter(filter::accepts).count());
        }
        assertThat(ct.count(Sockets.AF_UNSPEC, filters.get(4))).as("TCP established or UDP, not from 10.9/16").isEqualTo(3);
        assertThat(ct.stats().malformedMessages.get()).isZero();
    }

    @Test
    void dumpOfAThousandEntriesReturnsEachOnceAcrossSeveralDatagrams() throws Exception {
        List<Flow> flows = tcpFlows(1000, 20000);
        assertThat(ct.batch(flows, BatchMode.CREATE).succeeded()).isEqualTo(1000);

        List<Flow> dumped = ct.dump(Sockets.AF_INET);

        assertThat(dumped).extracting(Flow::orig).containsExactlyInAnyOrderElementsOf(
                flows.stream().map(Flow::orig).toList());
    }

    /**
     * A dump with CTA_MARK and CTA_MARK_MASK in its request gets only the entries whose masked
     * mark equals the value, of either family; the bits outside the mask do not matter.
     */
    @Test
    void dumpWithAMarkFilterReturnsOnlyTheEntriesWhoseMaskedMarkMatches() throws Exception {
        Flow owned = tcpEstablished("10.7.0.1", "10.7.0.2", 1001, 80).toBuilder().mark(0x4000_0000L).build();
        Flow ownedLowBits = tcpEstablished("10.7.0.1", "10.7.0.2", 1002, 80).toBuilder().mark(0x4000_0005L).build();
        Flow ownedV6 = tcpEstablished("fd00::1", "fd00::2", 1003, 80).toBuilder().mark(0xc000_0000L).build();
        Flow lowBits = tcpEstablished("10.7.0.1", "10.7.0.2", 1004, 80).toBuilder().mark(0x5).build();
        Flow none = tcpEstablished("10.7.0.1", "10.7.0.2", 1005, 80).toBuilder().mark(0).build();
        for (Flow f : List.of(owned, ownedLowBits, ownedV6, lowBits, none)) {
            ct.create(f);
        }
        List<Flow> dumped = new ArrayList<>();
        long n = ct.dumpMarked(Sockets.AF_UNSPEC, 0x4000_0000L, 0x4000_0000L, dumped::add);

        assertThat(dumped).extracting(Flow::orig).containsExactlyInAnyOrder(owned.orig(), ownedLowBits.orig(),
                ownedV6.orig());
        assertThat(n).isEqualTo(3);
        List<Flow> exact = new ArrayList<>();
        ct.dumpMarked(Sockets.AF_UNSPEC, 0x5, 0xffff_ffffL, exact::add);
        assertThat(exact).extracting(Flow::orig).containsExactly(lowBits.orig());
        assertThat(ct.stats().malformedMessages.get()).isZero();
    }

    // ---------------------------------------------------------------- batches

    @Test
    void batchWithDuplicatesAcrossManyChunksReportsEexistExactlyForTheDuplicates() throws Exception {
        ct.setBatchLimits(16, 4096);
        List<Flow> batch = new ArrayList<>(tcpFlows(300, 20000));
        // three already in the table, two repeated inside the batch
        ct.create(batch.get(10));
        ct.create(batch.get(150));
        ct.create(batch.get(299));
        batch.add(batch.get(7));
        batch.add(120, batch.get(110));

        BatchResult r = ct.batch(batch, BatchMode.CREATE);

        List<Integer> failed = new ArrayList<>();
        for (int i = 0; i < r.size(); i++) {
            if (!r.ok(i)) {
                assertThat(r.errno(i)).as("errno of #%d", i).isEqualTo(Errno.EEXIST);
                failed.add(i);
            }
        }
        // indices after the insertion at 120 are shifted by one
        assertThat(failed).containsExactly(10, 120, 151, 300, 301);
        assertThat(r.sends()).isEqualTo((302 + 15) / 16);
        assertThat(ct.count()).isEqualTo(300);
        assertThat(countSeenFromOutside(Sockets.AF_INET)).isEqualTo(300);
    }

    @Test
    void aRequestThatCannotBeEncodedInALaterChunkFailsTheBatchAndLeavesTheSocketUsable() throws Exception {
        // the chunks after the first are encoded on another thread while the one before is sent
        ct.setBatchLimits(16, 4096);
        List<Flow> flows = tcpFlows(100, 21000);
        Conntrack.NewRequests failingAt50 = new Conntrack.NewRequests() {
            @Override
            public int family(int i) {
                return Sockets.AF_INET;
            }

            @Override
            public void write(AttrWriter w, int i) {
                if (i == 50) {
                    throw new IllegalStateException("entry 50 undecodable");
                }
                FlowCodec.encode(w, flows.get(i));
            }
        };
        assertThatThrownBy(() -> ct.batch(flows.size(), BatchMode.CREATE, failingAt50))
                .isInstanceOf(IllegalStateException.class).hasMessage("entry 50 undecodable");
        // the chunks before the failing one were written; requests after it still get their answers
        assertThat(ct.count()).isEqualTo(48);
        BatchResult r = ct.batch(flows, BatchMode.CREATE_OR_UPDATE);
        assertThat(r.failed()).isZero();
        assertThat(ct.count()).isEqualTo(100);
    }

    @Test
    void batchUpdateReportsEnoentForMissingFlowsAndUpdatesThePresentOnes() throws Exception {
        ct.setBatchLimits(16, 4096);
        List<Flow> flows = tcpFlows(100, 30000);
        assertThat(ct.batch(flows.subList(0, 40), BatchMode.CREATE).succeeded()).isEqualTo(40);
        List<Flow> marked = flows.stream().map(f -> f.toBuilder().mark(5).build()).toList();

        BatchResult r = ct.batch(marked, BatchMode.UPDATE);

        for (int i = 0; i < 100; i++) {
            assertThat(r.errno(i)).as("errno of #%d", i).isEqualTo(i < 40 ? 0 : Errno.ENOENT);
        }
        assertThat(ct.dump(Sockets.AF_INET)).hasSize(40).allSatisfy(f -> assertThat(f.mark()).isEqualTo(5));
    }

    @Test
    void batchCreateOrUpdateCreatesMissingFlowsAndUpdatesExistingOnes() throws Exception {
        ct.setBatchLimits(16, 4096);
        List<Flow> flows = tcpFlows(100, 30000);
        assertThat(ct.batch(flows.subList(0, 50), BatchMode.CREATE).succeeded()).isEqualTo(50);
        List<Flow> marked = flows.stream().map(f -> f.toBuilder().mark(9).build()).toList();

        BatchResult r = ct.batch(marked, BatchMode.CREATE_OR_UPDATE);

        assertThat(r.succeeded()).isEqualTo(100);
        assertThat(ct.dump(Sockets.AF_INET)).hasSize(100).allSatisfy(f -> assertThat(f.mark()).isEqualTo(9));
    }

    @Test
    void batchDeleteRemovesEntriesAndReportsThoseAlreadyGone() throws Exception {
        List<Flow> flows = new ArrayList<>();
        for (Flow f : tcpFlows(2000, 10000)) {
            flows.add(f.toBuilder().zone(flows.size() % 2).build());
        }
        assertThat(ct.batch(flows, BatchMode.CREATE).succeeded()).isEqualTo(2000);
        ct.delete(flows.get(5).orig(), flows.get(5).zone());

        BatchResult r = ct.batchDelete(flows);

        assertThat(r.count(Errno.ENOENT)).isEqualTo(1);
        assertThat(r.errno(5)).isEqualTo(Errno.ENOENT);
        assertThat(r.succeeded()).isEqualTo(1999);
        assertThat(ct.count()).isZero();
    }

    // ---------------------------------------------------------------- events

    /** Records what a poll delivers. */
    static final class Recorder implements ConntrackEvents.Listener {
        final List<FlowEvent> seen = new ArrayList<>();
        int overruns;

        @Override
        public void onEvent(FlowEvent event) {
            seen.add(event);
        }

        @Override
        public void onOverrun() {
            overruns++;
        }
    }

    /** Polls until {@code n} events came, then once more for any that should not have. */
    private static void awaitEvents(ConntrackEvents events, Recorder r, int n) {
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            events.poll(r);
            return r.seen.size() >= n;
        });
        try {
            events.poll(r);
        } catch (NetlinkException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void createUpdateAndDeleteArriveAsNewUpdateAndDestroyInOrderWithTheWritersPort() throws Exception {
        DecodeStats stats = new DecodeStats();
        ConntrackEvents events = openAllEvents(1 << 20, stats);
        Conntrack other = openConntrack();
        Flow f = tcpEstablished("10.7.0.1", "10.7.0.2", 1111, 80);
        Flow byUs = tcpEstablished("10.7.0.3", "10.7.0.2", 2222, 80);
        other.create(f);
        other.update(f.toBuilder().mark(3).build());
        other.delete(f.orig(), 0);
        ct.create(byUs);

        Recorder r = new Recorder();
        awaitEvents(events, r, 4);

        assertThat(r.seen).extracting(FlowEvent::type).containsExactly(
                FlowEvent.Type.NEW, FlowEvent.Type.UPDATE, FlowEvent.Type.DESTROY, FlowEvent.Type.NEW);
        assertThat(r.seen.subList(0, 3)).allSatisfy(e -> {
            assertThat(e.flow().orig()).isEqualTo(f.orig());
            assertThat(e.originPort()).isEqualTo(other.socket().portId());
        });
        Flow created = r.seen.get(0).flow();
        assertTimeout(created.timeout(), 300);
        assertThat(created.tcp().state()).isEqualTo(TcpInfo.ESTABLISHED);
        assertThat(created.id()).isNotEqualTo(Flow.ABSENT);
        assertThat(r.seen.get(1).flow().mark()).isEqualTo(3);
        assertThat(r.seen.get(2).flow().id()).isEqualTo(created.id());
        // a deleted entry's destroy event carries what was left of its timeout (an expired one's none)
        assertTimeout(r.seen.get(2).flow().timeout(), 300);
        // our own write is recognisable by its origin port
        assertThat(r.seen.get(3).flow().orig()).isEqualTo(byUs.orig());
        assertThat(r.seen.get(3).originPort()).isEqualTo(ct.socket().portId());
        assertThat(ct.socket().portId()).isNotEqualTo(other.socket().portId()).isNotZero();
        assertThat(events.events()).isEqualTo(4);
        assertThat(stats.malformedMessages.get()).isZero();
        assertThat(stats.unexpectedMessages.get()).isZero();
    }

    @Test
    void aBurstOfEventsArrivesCompleteOnceEachAndInOrder() throws Exception {
        ConntrackEvents events = openAllEvents(1 << 20, new DecodeStats());
        List<Flow> flows = tcpFlows(500, 20000);
        assertThat(openConntrack().batch(flows, BatchMode.CREATE).succeeded()).isEqualTo(500);

        Recorder r = new Recorder();
        // every event is queued once the batch call returns; a poll that finds none waits at most 100 ms
        for (int polls = 0; polls < 2000 && r.seen.size() < 500; polls++) {
            events.poll(r);
        }
        events.poll(r); // and none more

        assertThat(r.seen).extracting(FlowEvent::type).containsOnly(FlowEvent.Type.NEW);
        assertThat(r.seen).extracting(e -> e.flow().orig()).containsExactlyElementsOf(flows.stream().map(Flow::orig).toList());
        assertThat(events.events()).isEqualTo(500);
    }

    @Test
    void socketJoinedOnlyToDestroyHearsOnlyDestroys() throws Exception {
        ConntrackEvents destroys = openEvents(1 << 20, new DecodeStats(), Ctnl.NFNLGRP_CONNTRACK_DESTROY);
        Flow f = tcpEstablished("10.7.0.1", "10.7.0.2", 1111, 80);
        ct.create(f);
        ct.update(f.toBuilder().mark(1).build());
        ct.delete(f.orig(), 0);

        Recorder r = new Recorder();
        awaitEvents(destroys, r, 1);

        assertThat(r.seen).extracting(FlowEvent::type).containsExactly(FlowEvent.Type.DESTROY);
    }

    @Test
    void eventOverrunIsReportedOnceNotSwallowedAndEventsFlowAgainAfterDraining() throws Exception {
        ConntrackEvents events = openAllEvents(4096, new DecodeStats());
        assertThat(ct.batch(tcpFlows(2000, 1024), BatchMode.CREATE).succeeded()).isEqualTo(2000);

        Recorder r = new Recorder();
        // drain: polls until one finds nothing and reports no overrun (each waits at most 100 ms)
        for (int i = 0; i < 10_000; i++) {
            int overruns = r.overruns;
            if (events.poll(r) == 0 && r.overruns == overruns) {
                break;
            }
        }

        assertThat(r.overruns).isEqualTo(1);
        assertThat(events.overruns()).isEqualTo(1);
        assertThat(r.seen).isNotEmpty().hasSizeLessThan(2000);
        int before = r.seen.size();
        ct.create(tcpEstablished("10.8.0.1", "10.8.0.2", 1, 2));
        awaitEvents(events, r, before + 1);
        assertThat(r.seen).hasSize(before + 1);
        assertThat(r.overruns).as("no second report without a new loss").isEqualTo(1);
    }

    @Test
    void aBufferOf128KiBGrowsAfterOverrunsTo256KiBAndNoFurther() throws Exception {
        ConntrackEvents events = openAllEvents(128 << 10, new DecodeStats());
        assertThat(events.socket().receiveBufferSize()).as("SO_RCVBUF after open").isEqualTo(128 << 10);
        Recorder r = new Recorder();
        for (int round = 0; round < 4; round++) {
            // far more NEW events than 256 KiB of socket buffer holds, none read meanwhile
            List<Flow> flows = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                flows.add(tcpEstablished("10.20." + round + "." + (1 + i % 250), "10.21.0." + (1 + i / 250),
                        1024 + i, 443));
            }
            assertThat(ct.batch(flows, BatchMode.CREATE).succeeded()).isEqualTo(3000);
            int before = r.overruns;
            // read until the overrun is reported (poll answers 0 then) or nothing is left
            for (int i = 0; i < 10_000 && events.poll(r) > 0; i++) {
                // events queued before the overrun
            }
            assertThat(r.overruns).as("overrun in round %d", round).isGreaterThan(before);
            int size = events.growReceiveBuffer(256 << 10);
            assertThat(size).as("grown buffer, round %d", round).isEqualTo(256 << 10);
            assertThat(events.socket().receiveBufferSize()).as("SO_RCVBUF, round %d", round).isEqualTo(256 << 10);
            ct.flush(Sockets.AF_UNSPEC);
            for (int i = 0; i < 10_000 && events.poll(r) > 0; i++) {
                // the DESTROY events, before the next round
            }
        }
    }
}
