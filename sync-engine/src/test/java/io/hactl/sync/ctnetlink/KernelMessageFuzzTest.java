package io.hactl.sync.ctnetlink;

import io.hactl.sync.netlink.DecodeException;
import io.hactl.sync.netlink.NlMsg;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.hactl.sync.wire.CompactFlow;
import io.hactl.sync.wire.CompactFlowException;
import io.hactl.sync.conntrack.Flow;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Coverage-guided fuzzing (Jazzer) of the kernel side: a received netlink datagram read as
 * {@link ConntrackEvents} and {@link Conntrack} read it, header after header ({@link NlMsg}), each
 * ctnetlink message's attributes through {@link AttrReader} into a {@link Flow}
 * ({@link FlowCodec#decode}).
 *
 * <p>A finding is any exception other than {@link DecodeException}, or a decoded flow that the
 * rest of hactl cannot carry: its CT_NEW request must decode to a flow whose request is the same
 * bytes (the commit writes what it read), and its compact encoding (the caches, the peer) must
 * decode back to it.
 *
 * <p>Seeds and kept findings: src/test/resources/io/hactl/sync/ctnetlink/KernelMessageFuzzTestInputs/
 * kernelDatagram, in host byte order as the kernel sends them (recorded and encoded on x86_64).
 */
class KernelMessageFuzzTest {

    @FuzzTest(maxDuration = "25s")
    void kernelDatagram(byte[] input) {
        ByteBuffer rx = ByteBuffer.wrap(input).order(ByteOrder.nativeOrder());
        DecodeStats stats = new DecodeStats();
        int off = 0;
        // every header read moves on by at least its 16 bytes, so this ends within the datagram
        while (off < rx.limit()) {
            NlMsg msg;
            try {
                msg = Nfgenmsg.read(rx, off);
            } catch (DecodeException e) {
                return;
            }
            assertThat(msg.next()).as("next message offset").isGreaterThan(off);
            off = msg.next();
            if (!Ctnl.isCtnetlink(msg.type())) {
                continue;
            }
            try {
                carried(FlowCodec.decode(rx, msg.attrStart(), msg.end(), stats));
            } catch (DecodeException e) {
                assertThat(e.getMessage()).isNotBlank();
            }
        }
    }

    private static void carried(Flow f) throws DecodeException {
        byte[] request = FlowCodecRoundTripTest.message(f);
        Flow written = decodeRequest(request);
        assertThat(written.orig()).as("orig of the CT_NEW for %s", f).isEqualTo(f.orig());
        assertThat(written.zone()).as("zone of the CT_NEW for %s", f).isEqualTo(f.zone());
        assertThat(FlowCodecRoundTripTest.message(written)).as("CT_NEW for %s, decoded and encoded again", f)
                .isEqualTo(request);

        Flow cached = f.toBuilder().id(Flow.ABSENT).build();
        try {
            assertThat(CompactFlow.decode(CompactFlow.encode(f))).as("compact form of %s", f).isEqualTo(cached);
        } catch (CompactFlowException e) {
            throw new AssertionError("the compact form of " + f + " does not decode: " + e.getMessage(), e);
        }
    }

    private static Flow decodeRequest(byte[] request) throws DecodeException {
        ByteBuffer buf = ByteBuffer.wrap(request).order(ByteOrder.nativeOrder());
        NlMsg msg = Nfgenmsg.read(buf, 0);
        return FlowCodec.decode(buf, msg.attrStart(), msg.end(), new DecodeStats());
    }
}
