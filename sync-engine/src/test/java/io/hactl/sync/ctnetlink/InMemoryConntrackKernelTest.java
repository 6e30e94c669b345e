package io.hactl.sync.ctnetlink;

import io.hactl.sync.netlink.Netlink;
import io.hactl.sync.sys.Sockets;
import io.hactl.sync.netlink.AttrWriter;
import io.hactl.sync.netlink.Errno;
import io.hactl.sync.netlink.NetlinkException;
import io.hactl.sync.netlink.NlMsg;

import static io.hactl.sync.ctnetlink.FakeKernelFixtures.bare;
import static io.hactl.sync.ctnetlink.FakeKernelFixtures.concat;
import static io.hactl.sync.ctnetlink.FakeKernelFixtures.drain;
import static io.hactl.sync.ctnetlink.FakeKernelFixtures.ip;
import static io.hactl.sync.ctnetlink.FakeKernelFixtures.messages;
import static io.hactl.sync.ctnetlink.FakeKernelFixtures.rawNew;
import static io.hactl.sync.ctnetlink.FakeKernelFixtures.tcpEstablished;
import static io.hactl.sync.ctnetlink.FakeKernelFixtures.tcpFlows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.NatRange;
import io.hactl.sync.conntrack.Tuple;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** The in-memory kernel at the byte level: that it answers as ctnetlink does. */
class InMemoryConntrackKernelTest {
    private static final int CREATE = Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL;

    private final InMemoryConntrackKernel kernel = new InMemoryConntrackKernel();
    private final FakeNetlinkSocket raw = kernel.openSocket();

    private static void assertErrno(ThrowingCallable call, int errno) {
        assertThatThrownBy(call).isInstanceOfSatisfying(NetlinkException.class,
                e -> assertThat(e.errno()).as(e.getMessage()).isEqualTo(errno));
    }

    /** The only datagram queued, as one NLMSG_ERROR: its errno. */
    private int singleAnswerErrno() throws Exception {
        List<ByteBuffer> answers = drain(raw);
        assertThat(answers).hasSize(1);
        NlMsg m = Nfgenmsg.read(answers.get(0), 0);
        assertThat(m.type()).isEqualTo(Netlink.NLMSG_ERROR);
        return m.errno(answers.get(0));
    }

    @Test
    void socketsGetDistinctNonZeroPortIds() {
        FakeNetlinkSocket other = kernel.openSocket();
        assertThat(raw.portId()).isNotZero().isNotEqualTo(other.portId());
    }

    @Test
    void createWithoutTimeoutOrWithoutReplyTupleIsRefusedWithEinval() throws Exception {
        Flow f = tcpEstablished("10.10.0.1", "10.10.0.2", 4000, 80);
        f = f.toBuilder().status(f.status() | Ctnl.IPS_CONFIRMED).build();

        raw.send(rawNew(f, CREATE, 1, true, false));
        assertThat(singleAnswerErrno()).isEqualTo(Errno.EINVAL);
        raw.send(rawNew(f, CREATE, 2, false, true));
        assertThat(singleAnswerErrno()).isEqualTo(Errno.EINVAL);
        assertThat(kernel.size()).isZero();
        assertThat(kernel.malformedRequests()).as("well-formed, only refused").isZero();
    }

    @Test
    void errorAnswerEchoesTheWholeRequestUnlessCapAckIsSet() throws Exception {
        ByteBuffer request = bare(Ctnl.IPCTNL_MSG_CT_GET, 0, 7, Sockets.AF_INET, 0); // no tuple: EINVAL
        int requestLength = request.remaining();
        raw.send(request.duplicate());
        ByteBuffer whole = drain(raw).get(0);
        raw.setNetlinkOption(Netlink.NETLINK_CAP_ACK, true);
        raw.send(request.duplicate());
        ByteBuffer capped = drain(raw).get(0);

        NlMsg w = Nfgenmsg.read(whole, 0);
        assertThat(w.length()).isEqualTo(Netlink.NLMSG_HDRLEN + 4 + requestLength);
        assertThat(w.flags() & Netlink.NLM_F_CAPPED).isZero();
        NlMsg c = Nfgenmsg.read(capped, 0);
        assertThat(c.length()).isEqualTo(Netlink.NLMSG_HDRLEN + 4 + Netlink.NLMSG_HDRLEN);
        assertThat(c.flags() & Netlink.NLM_F_CAPPED).isNotZero();
        for (NlMsg m : List.of(w, c)) {
            assertThat(m.type()).isEqualTo(Netlink.NLMSG_ERROR);
            assertThat(m.seq()).isEqualTo(7);
            assertThat(m.pid()).isEqualTo(raw.portId());
        }
        assertThat(capped.getInt(Netlink.NLMSG_HDRLEN)).as("negative errno").isEqualTo(-Errno.EINVAL);
        // the echoed header is the request's
        assertThat(capped.getShort(Netlink.NLMSG_HDRLEN + 4 + 4)).isEqualTo(request.getShort(4));
        assertThat(capped.getInt(Netlink.NLMSG_HDRLEN + 4 + 8)).isEqualTo(7);
    }

    @Test
    void requestWithAckIsAnsweredWithErrnoZeroAndOneWithoutIsNotAnsweredOnSuccess() throws Exception {
        Flow f = tcpEstablished("10.10.0.1", "10.10.0.2", 4000, 80);
        f = f.toBuilder().status(f.status() | Ctnl.IPS_CONFIRMED).build();
        raw.send(rawNew(f, CREATE, 1, true, true));
        assertThat(drain(raw)).isEmpty();

        raw.send(bare(Ctnl.IPCTNL_MSG_CT_DELETE, Netlink.NLM_F_ACK, 2, Sockets.AF_UNSPEC, 0));
        assertThat(singleAnswerErrno()).isZero();
        assertThat(kernel.size()).isZero();
    }

    @Test
    void dumpAnswersMultipartDatagramsOfCtNewMessagesEndingWithDone() throws Exception {
        Conntrack ct = new Conntrack(kernel.openSocket(), new DecodeStats());
        ct.batch(tcpFlows(500, 1024), BatchMode.CREATE);
        raw.send(bare(Ctnl.IPCTNL_MSG_CT_GET, Netlink.NLM_F_DUMP, 9, Sockets.AF_INET, 0));

        List<ByteBuffer> datagrams = drain(raw);

        assertThat(datagrams).hasSizeGreaterThan(1);
        int entries = 0;
        for (int i = 0; i < datagrams.size(); i++) {
            List<NlMsg> msgs = messages(datagrams.get(i));
            assertThat(msgs).allSatisfy(m -> {
                assertThat(m.flags() & Netlink.NLM_F_MULTI).isNotZero();
                assertThat(m.seq()).isEqualTo(9);
                assertThat(m.pid()).isEqualTo(raw.portId());
            });
            for (NlMsg m : msgs) {
                if (m.type() != Netlink.NLMSG_DONE) {
                    assertThat(m.type()).isEqualTo(Ctnl.ctMessageType(Ctnl.IPCTNL_MSG_CT_NEW));
                    entries++;
                }
            }
            if (i < datagrams.size() - 1) {
                assertThat(msgs).hasSizeGreaterThan(1).noneMatch(m -> m.type() == Netlink.NLMSG_DONE);
            } else {
                assertThat(msgs.get(msgs.size() - 1).type()).isEqualTo(Netlink.NLMSG_DONE);
            }
        }
        assertThat(entries).isEqualTo(500);
    }

    @Test
    void dumpOfAnEmptyTableIsJustDone() throws Exception {
        raw.send(bare(Ctnl.IPCTNL_MSG_CT_GET, Netlink.NLM_F_DUMP, 3, Sockets.AF_UNSPEC, 0));

        List<ByteBuffer> datagrams = drain(raw);

        assertThat(datagrams).hasSize(1);
        assertThat(messages(datagrams.get(0))).singleElement()
                .satisfies(m -> assertThat(m.type()).isEqualTo(Netlink.NLMSG_DONE));
    }

    @Test
    void getAnswersTheEntryThenTheAckInSeparateDatagrams() throws Exception {
        Flow f = kernel.inject(tcpEstablished("10.10.0.1", "10.10.0.2", 4000, 80));
        AttrWriter w = new AttrWriter(256);
        int m = Nfgenmsg.begin(w, Ctnl.ctMessageType(Ctnl.IPCTNL_MSG_CT_GET), Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, 5,
                Sockets.AF_INET, 0);
        TupleCodec.encode(w, Ctnl.CTA_TUPLE_ORIG, f.orig());
        w.endMessage(m);
        raw.send(w.flipped());

        List<ByteBuffer> datagrams = drain(raw);

        assertThat(datagrams).hasSize(2);
        NlMsg entry = Nfgenmsg.read(datagrams.get(0), 0);
        assertThat(entry.type()).isEqualTo(Ctnl.ctMessageType(Ctnl.IPCTNL_MSG_CT_NEW));
        Flow got = FlowCodec.decode(datagrams.get(0), entry.attrStart(), entry.end(), new DecodeStats());
        assertThat(got).isEqualTo(f);
        NlMsg ack = Nfgenmsg.read(datagrams.get(1), 0);
        assertThat(ack.type()).isEqualTo(Netlink.NLMSG_ERROR);
        assertThat(ack.errno(datagrams.get(1))).isZero();
    }

    @Test
    void entryIsFoundByItsReplyTupleAndACreateClashingWithThatFailsWithEexist() throws Exception {
        Conntrack ct = new Conntrack(raw, new DecodeStats());
        Flow f = tcpEstablished("10.10.0.1", "10.10.0.2", 4000, 80);
        ct.create(f);

        assertThat(ct.get(f.orig().inverse(), 0)).hasValueSatisfying(g -> assertThat(g.orig()).isEqualTo(f.orig()));
        assertErrno(() -> ct.create(tcpEstablished("10.10.0.2", "10.10.0.1", 80, 4000)), Errno.EEXIST);
    }

    @Test
    void flushWithNfgenVersionZeroRemovesEveryFamilyWhateverTheRequestSays() throws Exception {
        kernel.inject(tcpEstablished("10.10.0.1", "10.10.0.2", 4000, 80));
        kernel.inject(tcpEstablished("2001:db8::1", "2001:db8::2", 4000, 80));

        raw.send(bare(Ctnl.IPCTNL_MSG_CT_DELETE, Netlink.NLM_F_ACK, 1, Sockets.AF_INET, Ctnl.NFNETLINK_V0));

        assertThat(singleAnswerErrno()).isZero();
        assertThat(kernel.size()).isZero();
    }

    @Test
    void deleteNamingAnotherIdFailsWithEnoent() throws Exception {
        Flow f = kernel.inject(tcpEstablished("10.10.0.1", "10.10.0.2", 4000, 80));
        AttrWriter w = new AttrWriter(256);
        int m = Nfgenmsg.begin(w, Ctnl.ctMessageType(Ctnl.IPCTNL_MSG_CT_DELETE), Netlink.NLM_F_REQUEST, 1, Sockets.AF_INET, 0);
        TupleCodec.encode(w, Ctnl.CTA_TUPLE_ORIG, f.orig());
        w.putU32(Ctnl.CTA_ID, f.id() ^ 1);
        w.endMessage(m);
        raw.send(w.flipped());

        assertThat(singleAnswerErrno()).isEqualTo(Errno.ENOENT);
        assertThat(kernel.size()).isEqualTo(1);
    }

    @Test
    void updateThatWouldClearAssuredIsRefusedWithEbusy() throws Exception {
        Conntrack ct = new Conntrack(raw, new DecodeStats());
        Flow f = tcpEstablished("10.10.0.1", "10.10.0.2", 4000, 80);
        ct.create(f);

        assertErrno(() -> ct.update(f.toBuilder().status(Ctnl.IPS_SEEN_REPLY).build()), Errno.EBUSY);
        assertThat(kernel.get(f.orig(), 0).orElseThrow().hasStatus(Ctnl.IPS_ASSURED)).isTrue();
    }

    @Test
    void updateCarryingNatIsRefusedWithEopnotsupp() throws Exception {
        Conntrack ct = new Conntrack(raw, new DecodeStats());
        Flow f = tcpEstablished("10.10.0.1", "10.10.0.2", 4000, 80);
        ct.create(f);

        assertErrno(() -> ct.update(f.toBuilder().snat(NatRange.to(ip("192.0.2.1"))).build()), Errno.EOPNOTSUPP);
    }

    @Test
    void createOnAFullTableFailsWithEnomem() throws Exception {
        Conntrack ct = new Conntrack(raw, new DecodeStats());
        kernel.setMaxEntries(2);
        List<Flow> flows = tcpFlows(3, 100);

        BatchResult r = ct.batch(flows, BatchMode.CREATE);

        assertThat(r.errno(2)).isEqualTo(Errno.ENOMEM);
        assertThat(r.succeeded()).isEqualTo(2);
    }

    @Test
    void unparsableRequestIsAnsweredWithEinvalAndCountedAndTheNextMessageIsStillHandled() throws Exception {
        AttrWriter w = new AttrWriter(256);
        int bad = Nfgenmsg.begin(w, Ctnl.ctMessageType(Ctnl.IPCTNL_MSG_CT_NEW), Netlink.NLM_F_REQUEST | CREATE, 1,
                Sockets.AF_INET, 0);
        w.putBytes(Ctnl.CTA_TIMEOUT, new byte[] {1, 2}); // u32 of two bytes
        w.endMessage(bad);
        ByteBuffer flush = bare(Ctnl.IPCTNL_MSG_CT_DELETE, Netlink.NLM_F_ACK, 2, Sockets.AF_UNSPEC, 0);
        kernel.inject(tcpEstablished("10.10.0.1", "10.10.0.2", 4000, 80));

        raw.send(concat(w.flipped(), flush));

        List<ByteBuffer> answers = drain(raw);
        assertThat(answers).hasSize(2);
        assertThat(Nfgenmsg.read(answers.get(0), 0).seq()).isEqualTo(1);
        assertThat(Nfgenmsg.read(answers.get(0), 0).errno(answers.get(0))).isEqualTo(Errno.EINVAL);
        assertThat(Nfgenmsg.read(answers.get(1), 0).errno(answers.get(1))).isZero();
        assertThat(kernel.size()).isZero();
        assertThat(kernel.malformedRequests()).isEqualTo(1);
    }

    @Test
    void messageWhoseLengthRunsPastTheSendEndsItUnansweredAndIsCounted() throws Exception {
        ByteBuffer request = bare(Ctnl.IPCTNL_MSG_CT_DELETE, Netlink.NLM_F_ACK, 1, Sockets.AF_UNSPEC, 0);
        request.putInt(0, 4096);
        kernel.inject(tcpEstablished("10.10.0.1", "10.10.0.2", 4000, 80));

        raw.send(request);

        assertThat(drain(raw)).isEmpty();
        assertThat(kernel.size()).isEqualTo(1);
        assertThat(kernel.malformedRequests()).isEqualTo(1);
    }

    @Test
    void statsAnswerCountsTheEntries() throws Exception {
        Conntrack ct = new Conntrack(raw, new DecodeStats());
        for (Flow f : tcpFlows(4, 100)) {
            kernel.inject(f);
        }
        assertThat(ct.count()).isEqualTo(4);
    }

    @Test
    void receiveOnAnEmptyQueueFailsWithEagainAtOnceWhateverTheTimeout() throws Exception {
        raw.setReceiveTimeout(Duration.ofSeconds(30));

        assertErrno(() -> raw.receive(ByteBuffer.allocate(1024)), Errno.EAGAIN);
        assertThat(raw.receiveTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void closedSocketFailsWithEbadfAndHearsNoMoreEvents() throws Exception {
        raw.joinGroup(Ctnl.NFNLGRP_CONNTRACK_NEW);
        raw.close();

        kernel.inject(tcpEstablished("10.10.0.1", "10.10.0.2", 4000, 80));

        assertThat(raw.queued()).isZero();
        assertErrno(() -> raw.send(bare(Ctnl.IPCTNL_MSG_CT_GET_STATS, 0, 1, Sockets.AF_UNSPEC, 0)), Errno.EBADF);
        assertErrno(() -> raw.receive(ByteBuffer.allocate(1024)), Errno.EBADF);
    }

    @Test
    void receiveBufferIsReportedDoubledWithTheKernelsFloor() throws Exception {
        assertThat(raw.receiveBufferSize()).isEqualTo(FakeNetlinkSocket.DEFAULT_RECEIVE_BUFFER);
        assertThat(raw.setReceiveBufferSize(1 << 20)).isEqualTo(2 << 20);
        assertThat(raw.setReceiveBufferSize(100)).isEqualTo(FakeNetlinkSocket.MIN_RECEIVE_BUFFER);
    }

    @Test
    void noEnobufsOptionMakesAnOverrunSilent() throws Exception {
        raw.joinGroup(Ctnl.NFNLGRP_CONNTRACK_NEW);
        raw.setNetlinkOption(Netlink.NETLINK_NO_ENOBUFS, true);
        raw.setQueueLimit(3);
        for (Flow f : tcpFlows(10, 100)) {
            kernel.inject(f);
        }

        assertThat(drain(raw)).hasSize(3); // no ENOBUFS thrown
        assertThat(raw.drops()).isEqualTo(7);
    }

    @Test
    void echoFlagGivesTheRequesterItsOwnEventEvenUnsubscribed() throws Exception {
        FakeNetlinkSocket listener = kernel.openSocket();
        listener.joinGroup(Ctnl.NFNLGRP_CONNTRACK_NEW);
        Flow f = tcpEstablished("10.10.0.1", "10.10.0.2", 4000, 80);
        f = f.toBuilder().status(f.status() | Ctnl.IPS_CONFIRMED).build();

        raw.send(rawNew(f, CREATE | Netlink.NLM_F_ECHO, 1, true, true));

        List<ByteBuffer> own = drain(raw);
        assertThat(own).hasSize(1);
        NlMsg event = Nfgenmsg.read(own.get(0), 0);
        assertThat(event.flags() & CREATE).isEqualTo(CREATE);
        assertThat(event.pid()).isEqualTo(raw.portId());
        assertThat(drain(listener)).hasSize(1);
    }

    @Test
    void injectedFlowGetsInverseReplyConfirmedStatusAndATimeout() {
        Flow f = kernel.inject(Flow.builder(Tuple.udp(ip("192.0.2.1"), ip("192.0.2.2"), 1, 2)).build());

        assertThat(f.reply()).isEqualTo(f.orig().inverse());
        assertThat(f.hasStatus(Ctnl.IPS_CONFIRMED)).isTrue();
        assertThat(f.timeout()).isEqualTo(InMemoryConntrackKernel.INJECTED_TIMEOUT);
        assertThat(f.id()).isNotEqualTo(Flow.ABSENT);
        assertThat(kernel.flows()).containsExactly(f);
    }
}
