package io.hactl.sync.ctnetlink;

import io.hactl.sync.sys.Sockets;
import io.hactl.sync.netlink.AttrWriter;
import io.hactl.sync.netlink.Errno;
import io.hactl.sync.netlink.NetlinkException;

import static io.hactl.sync.ctnetlink.FakeKernelFixtures.ip;
import static io.hactl.sync.ctnetlink.FakeKernelFixtures.tcpEstablished;
import static io.hactl.sync.ctnetlink.FakeKernelFixtures.tcpFlows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.NatRange;
import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** {@link Conntrack} against the in-memory kernel: every operation, its errors, and batches. */
class ConntrackOperationsTest {
    private final InMemoryConntrackKernel kernel = new InMemoryConntrackKernel();
    private final FakeNetlinkSocket socket = kernel.openSocket();
    private final DecodeStats stats = new DecodeStats();
    private final Conntrack ct = new Conntrack(socket, stats);

    private static void assertErrno(ThrowingCallable call, int errno) {
        assertThatThrownBy(call).isInstanceOfSatisfying(NetlinkException.class,
                e -> assertThat(e.errno()).as(e.getMessage()).isEqualTo(errno));
    }

    @Test
    void createdFlowIsReadBackWithInverseReplyConfirmedStatusAndKernelId() throws Exception {
        Flow f = tcpEstablished("10.1.0.1", "10.2.0.1", 40000, 443).toBuilder().mark(77).zone(5).build();
        ct.create(f);

        Flow got = ct.get(f.orig(), 5).orElseThrow();
        assertThat(got.reply()).isEqualTo(f.orig().inverse());
        assertThat(got.zone()).isEqualTo(5);
        assertThat(got.mark()).isEqualTo(77);
        assertThat(got.timeout()).isEqualTo(300);
        assertThat(got.tcp().state()).isEqualTo(TcpInfo.ESTABLISHED);
        assertThat(got.hasStatus(Ctnl.IPS_CONFIRMED | Ctnl.IPS_ASSURED | Ctnl.IPS_SEEN_REPLY)).isTrue();
        assertThat(got.id()).isNotEqualTo(Flow.ABSENT);
        assertThat(ct.get(f.orig(), 0)).as("same tuple, default zone").isEmpty();
        assertThat(stats.malformedMessages.get()).isZero();
        assertThat(stats.unknownAttributes.get()).isZero();
    }

    @Test
    void createOfAnExistingFlowFailsWithEexist() throws Exception {
        Flow f = tcpEstablished("10.9.0.1", "10.9.0.2", 1000, 2000);
        ct.create(f);

        assertErrno(() -> ct.create(f), Errno.EEXIST);
        assertThat(kernel.size()).isEqualTo(1);
    }

    @Test
    void updateChangesMarkTimeoutAndStateAndFailsWithEnoentForAMissingFlow() throws Exception {
        Flow f = tcpEstablished("10.9.0.1", "10.9.0.2", 1000, 2000);
        ct.create(f);
        ct.update(f.toBuilder().mark(42).timeout(1000).protoInfo(TcpInfo.ofState(TcpInfo.FIN_WAIT)).build());

        Flow got = ct.get(f.orig(), 0).orElseThrow();
        assertThat(got.mark()).isEqualTo(42);
        assertThat(got.timeout()).isEqualTo(1000);
        assertThat(got.tcp().state()).isEqualTo(TcpInfo.FIN_WAIT);
        assertErrno(() -> ct.update(tcpEstablished("10.9.0.1", "10.9.0.2", 1001, 2000)), Errno.ENOENT);
    }

    @Test
    void getOfAMissingFlowIsEmpty() throws Exception {
        assertThat(ct.get(Tuple.udp(ip("192.0.2.1"), ip("192.0.2.2"), 1, 2), 0)).isEmpty();
    }

    @Test
    void createWithoutTimeoutFailsWithEinvalAsTheKernelDoes() throws Exception {
        Flow noTimeout = Flow.builder(Tuple.udp(ip("192.0.2.1"), ip("192.0.2.2"), 1, 2)).build();

        assertErrno(() -> ct.create(noTimeout), Errno.EINVAL);
        assertThat(kernel.size()).isZero();
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
            assertThat(d.get().timeout()).isEqualTo(w.timeout());
            if (w.protoInfo() != null) {
                assertThat(d.get().protoInfo()).isEqualTo(w.protoInfo());
            }
        }
        assertThat(ct.dump(Sockets.AF_INET6)).hasSize(3).allSatisfy(f -> assertThat(f.orig().isIpv6()).isTrue());
        assertThat(ct.dump(Sockets.AF_INET)).hasSize(5).allSatisfy(f -> assertThat(f.orig().isIpv4()).isTrue());
        assertThat(stats.malformedMessages.get()).isZero();
    }

    @Test
    void dumpOfAThousandEntriesReturnsEachOnceAcrossSeveralDatagrams() throws Exception {
        List<Flow> flows = tcpFlows(1000, 20000);
        assertThat(ct.batch(flows, BatchMode.CREATE).succeeded()).isEqualTo(1000);

        List<Flow> dumped = ct.dump(Sockets.AF_INET);

        assertThat(dumped).extracting(Flow::orig).containsExactlyInAnyOrderElementsOf(
                flows.stream().map(Flow::orig).toList());
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
    }

    // ---------------------------------------------------------------- batches

    @Test
    void batchWithDuplicatesAcrossManyChunksReportsEexistExactlyForTheDuplicates() throws Exception {
        ct.setBatchLimits(16, 4096);
        List<Flow> batch = new ArrayList<>(tcpFlows(300, 20000));
        // three already in the kernel, two repeated inside the batch
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
    void batchWhoseAnswersOverrunTheReceiveQueueReportsEnobufsForTheFlowsLeftWithoutAnswer() throws Exception {
        ct.setBatchLimits(16, 4096);
        List<Flow> flows = tcpFlows(32, 40000);
        for (int i = 0; i < 10; i += 2) {
            ct.create(flows.get(i)); // #0, #2, #4, #6, #8 of the first chunk will answer EEXIST
        }
        // Room for two answers: #4's is dropped, and with it every later one of that chunk,
        // its final ack included, since the socket stays congested until it is read empty.
        socket.setQueueLimit(2);

        BatchResult r = ct.batch(flows, BatchMode.CREATE);

        assertThat(r.errno(0)).isEqualTo(Errno.EEXIST);
        assertThat(r.errno(1)).as("before the last answer read: known to have succeeded").isZero();
        assertThat(r.errno(2)).isEqualTo(Errno.EEXIST);
        for (int i = 3; i < 16; i++) {
            assertThat(r.errno(i)).as("errno of #%d, whose answer may have been lost", i).isEqualTo(Errno.ENOBUFS);
        }
        for (int i = 16; i < 32; i++) {
            assertThat(r.errno(i)).as("errno of #%d in the next chunk", i).isZero();
        }
        assertThat(socket.drops()).isEqualTo(4); // #4, #6, #8 and the chunk's ack
        assertThat(kernel.size()).isEqualTo(32);
        assertThat(ct.count()).as("the socket works again").isEqualTo(32);
    }
}
