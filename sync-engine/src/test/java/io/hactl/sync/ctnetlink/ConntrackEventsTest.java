package io.hactl.sync.ctnetlink;

import io.hactl.sync.netlink.Netlink;
import io.hactl.sync.sys.Sockets;
import io.hactl.sync.netlink.AttrWriter;
import io.hactl.sync.netlink.NetlinkException;

import static io.hactl.sync.ctnetlink.FakeKernelFixtures.ip;
import static io.hactl.sync.ctnetlink.FakeKernelFixtures.tcpEstablished;
import static io.hactl.sync.ctnetlink.FakeKernelFixtures.tcpFlows;
import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.FlowEvent;
import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ConntrackEvents} against the in-memory kernel: event types, origins, overruns, bad input. */
class ConntrackEventsTest {
    private final InMemoryConntrackKernel kernel = new InMemoryConntrackKernel();
    private final FakeNetlinkSocket eventSocket = kernel.openSocket();
    private final DecodeStats stats = new DecodeStats();
    private final ConntrackEvents events = new ConntrackEvents(eventSocket, stats);
    private final Conntrack ct = new Conntrack(kernel.openSocket(), new DecodeStats());
    private final Recorder recorder = new Recorder();

    ConntrackEventsTest() throws NetlinkException {
        eventSocket.joinGroup(Ctnl.NFNLGRP_CONNTRACK_NEW);
        eventSocket.joinGroup(Ctnl.NFNLGRP_CONNTRACK_UPDATE);
        eventSocket.joinGroup(Ctnl.NFNLGRP_CONNTRACK_DESTROY);
    }

    private static final class Recorder implements ConntrackEvents.Listener {
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

    /** Polls until the socket's queue is empty; the first poll also picks up a pending overrun. */
    private void drain() throws NetlinkException {
        do {
            events.poll(recorder);
        } while (eventSocket.queued() > 0);
    }

    @Test
    void originPortTellsOurOwnWritesFromOtherWritersAndFromTraffic() throws Exception {
        Conntrack other = new Conntrack(kernel.openSocket(), new DecodeStats());
        Flow byTraffic = tcpEstablished("10.7.0.1", "10.7.0.2", 1111, 80);
        Flow byUs = tcpEstablished("10.7.0.3", "10.7.0.2", 2222, 80);
        Flow byOther = tcpEstablished("10.7.0.4", "10.7.0.2", 3333, 80);
        kernel.inject(byTraffic);
        ct.create(byUs);
        other.create(byOther);
        kernel.expire(byTraffic.orig(), 0);

        drain();

        assertThat(recorder.seen).extracting(e -> e.flow().orig(), FlowEvent::originPort).containsExactly(
                org.assertj.core.groups.Tuple.tuple(byTraffic.orig(), 0),
                org.assertj.core.groups.Tuple.tuple(byUs.orig(), ct.socket().portId()),
                org.assertj.core.groups.Tuple.tuple(byOther.orig(), other.socket().portId()),
                org.assertj.core.groups.Tuple.tuple(byTraffic.orig(), 0));
        assertThat(ct.socket().portId()).isNotEqualTo(other.socket().portId()).isNotZero();
    }

    @Test
    void trafficUpdatesArriveAsUpdatesAndExpiryAsDestroy() throws Exception {
        Flow f = Flow.builder(Tuple.udp(ip("192.0.2.1"), ip("192.0.2.2"), 5353, 53)).build();
        kernel.inject(f);
        kernel.inject(f.toBuilder().status(Ctnl.IPS_SEEN_REPLY).build());
        kernel.expire(f.orig(), 0);

        drain();

        assertThat(recorder.seen).extracting(FlowEvent::type)
                .containsExactly(FlowEvent.Type.NEW, FlowEvent.Type.UPDATE, FlowEvent.Type.DESTROY);
        assertThat(recorder.seen.get(1).flow().hasStatus(Ctnl.IPS_SEEN_REPLY | Ctnl.IPS_CONFIRMED)).isTrue();
        assertThat(recorder.seen.get(2).flow().timeout()).as("a destroy event carries no timeout").isEqualTo(Flow.ABSENT);
    }

    @Test
    void overrunIsReportedOnceToTheListenerAndCountedAndEventsFlowAgainAfterDraining() throws Exception {
        eventSocket.setQueueLimit(5);
        for (Flow f : tcpFlows(20, 1024)) {
            kernel.inject(f);
        }

        drain();

        assertThat(recorder.overruns).isEqualTo(1);
        assertThat(events.overruns()).isEqualTo(1);
        assertThat(recorder.seen).hasSize(5);
        assertThat(eventSocket.drops()).isEqualTo(15);

        kernel.inject(tcpEstablished("10.8.0.1", "10.8.0.2", 1, 2));
        drain();
        assertThat(recorder.seen).hasSize(6);
        assertThat(recorder.overruns).as("no second report without a new loss").isEqualTo(1);
    }

    @Test
    void overrunOfTheByteBudgetIsReportedToo() throws Exception {
        eventSocket.setReceiveBufferSize(2048); // the kernel makes it 4096: a handful of events
        for (Flow f : tcpFlows(100, 1024)) {
            kernel.inject(f);
        }

        drain();

        assertThat(recorder.overruns).isEqualTo(1);
        assertThat(recorder.seen).isNotEmpty().hasSizeLessThan(100);
        assertThat(recorder.seen.size() + eventSocket.drops()).isEqualTo(100);
    }

    @Test
    void malformedEventIsCountedAndSkippedWhileTheOthersInTheDatagramAreDelivered() throws Exception {
        Flow good = tcpEstablished("10.7.0.1", "10.7.0.2", 1111, 80);
        AttrWriter w = new AttrWriter(1024);
        eventMessage(w, good, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL);
        int bad = Nfgenmsg.begin(w, Ctnl.ctMessageType(Ctnl.IPCTNL_MSG_CT_NEW), 0, 0, Sockets.AF_INET, 0);
        TupleCodec.encode(w, Ctnl.CTA_TUPLE_ORIG, good.orig());
        w.putBytes(Ctnl.CTA_STATUS, new byte[] {0, 8}); // two bytes where the kernel puts four
        w.endMessage(bad);
        eventMessage(w, good, 0);
        kernel.deliverRaw(Ctnl.NFNLGRP_CONNTRACK_NEW, w.toByteArray());

        int delivered = events.poll(recorder);

        assertThat(delivered).isEqualTo(2);
        assertThat(recorder.seen).extracting(FlowEvent::type).containsExactly(FlowEvent.Type.NEW, FlowEvent.Type.UPDATE);
        assertThat(stats.malformedMessages.get()).isEqualTo(1);
    }

    @Test
    void datagramWithAnImpossibleLengthIsCountedNotThrown() throws Exception {
        Flow good = tcpEstablished("10.7.0.1", "10.7.0.2", 1111, 80);
        AttrWriter w = new AttrWriter(1024);
        eventMessage(w, good, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL);
        byte[] bytes = w.toByteArray();
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length + Netlink.NLMSG_HDRLEN);
        // a second header whose nlmsg_len runs past the datagram
        java.nio.ByteBuffer.wrap(truncated).order(java.nio.ByteOrder.nativeOrder()).putInt(bytes.length, 4096);
        kernel.deliverRaw(Ctnl.NFNLGRP_CONNTRACK_NEW, truncated);

        assertThat(events.poll(recorder)).isEqualTo(1);
        assertThat(stats.malformedMessages.get()).isEqualTo(1);
    }

    @Test
    void messageThatIsNoConntrackEventIsCountedAsUnexpected() throws Exception {
        AttrWriter w = new AttrWriter(64);
        int m = Nfgenmsg.begin(w, Ctnl.ctMessageType(Ctnl.IPCTNL_MSG_CT_GET_STATS), 0, 0, Sockets.AF_UNSPEC, 0);
        w.putU32(Ctnl.CTA_STATS_GLOBAL_ENTRIES, 1);
        w.endMessage(m);
        kernel.deliverRaw(Ctnl.NFNLGRP_CONNTRACK_UPDATE, w.toByteArray());

        assertThat(events.poll(recorder)).isZero();
        assertThat(recorder.seen).isEmpty();
        assertThat(stats.unexpectedMessages.get()).isEqualTo(1);
    }

    @Test
    void pollWithNothingQueuedReturnsZeroAtOnce() throws Exception {
        assertThat(events.poll(recorder)).isZero();
        assertThat(recorder.seen).isEmpty();
        assertThat(recorder.overruns).isZero();
    }

    @Test
    void growReceiveBufferDoublesTheBufferTheKernelReportsAndNeverPassesTheMaximum() throws Exception {
        // the kernel doubles what is asked: sizing asks for half
        assertThat(ConntrackEvents.sizeReceiveBuffer(eventSocket, 131072)).isEqualTo(131072);

        assertThat(events.growReceiveBuffer(262144)).isEqualTo(262144);
        // at the maximum: it stays there, however many overruns follow
        assertThat(events.growReceiveBuffer(262144)).isEqualTo(262144);
        assertThat(events.growReceiveBuffer(262144)).isEqualTo(262144);
        assertThat(eventSocket.receiveBufferSize()).isEqualTo(262144);
        // a maximum not a power of two caps the last step
        assertThat(events.growReceiveBuffer(400_000)).isEqualTo(400_000);
        assertThat(events.growReceiveBuffer(400_000)).isEqualTo(400_000);
    }

    /** A conntrack event as the kernel lays it out, built by hand. */
    private static void eventMessage(AttrWriter w, Flow f, int flags) {
        int m = Nfgenmsg.begin(w, Ctnl.ctMessageType(Ctnl.IPCTNL_MSG_CT_NEW), flags, 0, f.family(), 0);
        TupleCodec.encode(w, Ctnl.CTA_TUPLE_ORIG, f.orig());
        TupleCodec.encode(w, Ctnl.CTA_TUPLE_REPLY, f.replyOrInverse());
        w.putU32(Ctnl.CTA_STATUS, f.status() | Ctnl.IPS_CONFIRMED);
        w.putU32(Ctnl.CTA_TIMEOUT, f.timeout());
        w.endMessage(m);
    }
}
