package io.hactl.sync.ctnetlink;

import io.hactl.sync.netlink.Netlink;
import io.hactl.sync.netlink.DecodeException;
import io.hactl.sync.netlink.NlMsg;

import static io.hactl.sync.ctnetlink.Fixtures.buffer;
import static io.hactl.sync.ctnetlink.Fixtures.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hactl.sync.conntrack.DccpInfo;
import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.NatRange;
import io.hactl.sync.conntrack.SctpInfo;
import io.hactl.sync.conntrack.SeqAdj;
import io.hactl.sync.conntrack.Tuple;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Damaged messages: whatever the bytes, decoding yields a Flow or a DecodeException, never another
 * exception (which would escape the event loop that reads the kernel's messages).
 */
class FlowCodecFuzzTest {
    private static final int CORRUPTIONS = 2_000;
    private static final long SEED = 0x4AC7_1C0DL;

    enum Outcome { FLOW, REJECTED }

    static Stream<Arguments> messages() {
        Flow ipv6 = Flow.builder(Tuple.ports(ip("2001:db8::1"), ip("2001:db8::2"), Tuple.SCTP, 2905, 2905))
                .zone(3).status(Ctnl.IPS_SEEN_REPLY).timeout(3600).mark(9)
                .protoInfo(new SctpInfo(3, 0xdeadbeefL, 0x12345678L))
                .master(Tuple.icmp(ip("2001:db8::1"), ip("2001:db8::2"), 128, 0, 7))
                .dnat(new NatRange(ip("2001:db8::10"), ip("2001:db8::20"), 8000, 8010))
                .seqAdjReply(new SeqAdj(1, 2, 3)).helper("sip").build();
        Flow dccp = Flow.builder(Tuple.ports(ip("10.0.0.1"), ip("10.0.0.2"), Tuple.DCCP, 1, 2))
                .timeout(60).protoInfo(new DccpInfo(2, 1, 42)).build();
        return Stream.of(
                Arguments.of("IPv4 TCP with every optional part", FlowCodecRoundTripTest.message(FlowCodecTest.fullTcpFlow()), false),
                Arguments.of("IPv6 SCTP with master, DNAT, seqadj, helper", FlowCodecRoundTripTest.message(ipv6), false),
                Arguments.of("IPv4 DCCP", FlowCodecRoundTripTest.message(dccp), false),
                Arguments.of("recorded from kernel 6.18", FlowCodecTest.RECORDED_KERNEL_618, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void everyTruncationYieldsAFlowOrADecodeException(String name, byte[] message, boolean littleEndianFixture) {
        assumeTrue(!littleEndianFixture || Fixtures.LITTLE_ENDIAN_HOST, "fixture is little-endian");
        int attrStart = Netlink.NLMSG_HDRLEN + Ctnl.NFGENMSG_LEN;
        int[] seen = new int[Outcome.values().length];

        for (int len = 0; len <= message.length; len++) {
            byte[] cut = Arrays.copyOf(message, len);
            seen[outcome(cut, () -> "datagram cut to " + cut.length + " bytes").ordinal()]++;
            if (len >= attrStart) {
                seen[outcomeOfRegion(message, attrStart, len).ordinal()]++;
            }
        }

        assertThat(outcome(message, () -> "intact")).isEqualTo(Outcome.FLOW);
        assertThat(seen[Outcome.REJECTED.ordinal()]).isPositive();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void randomSingleByteCorruptionsYieldAFlowOrADecodeException(String name, byte[] message,
                                                                 boolean littleEndianFixture) {
        assumeTrue(!littleEndianFixture || Fixtures.LITTLE_ENDIAN_HOST, "fixture is little-endian");
        Random random = new Random(SEED);
        int[] seen = new int[Outcome.values().length];

        for (int i = 0; i < CORRUPTIONS; i++) {
            byte[] bad = message.clone();
            int at = random.nextInt(bad.length);
            byte was = bad[at];
            bad[at] = (byte) (was ^ (1 + random.nextInt(255))); // never the original value
            seen[outcome(bad, () -> String.format("byte %d changed from 0x%02x to 0x%02x", at, was, bad[at])).ordinal()]++;
        }

        // Both kinds occur, so the corruptions reached past the header checks.
        assertThat(seen[Outcome.FLOW.ordinal()]).isPositive();
        assertThat(seen[Outcome.REJECTED.ordinal()]).isPositive();
    }

    /** Reads the datagram as Conntrack does: the header, then the entry's attributes. */
    static Outcome outcome(byte[] datagram, Supplier<String> what) {
        ByteBuffer buf = buffer(datagram);
        try {
            NlMsg msg = Nfgenmsg.read(buf, 0);
            Flow f = FlowCodec.decode(buf, msg.attrStart(), msg.end(), new DecodeStats());
            assertThat(f).isNotNull();
            return Outcome.FLOW;
        } catch (DecodeException e) {
            assertThat(e.getMessage()).as(what.get()).isNotBlank();
            return Outcome.REJECTED;
        } catch (RuntimeException e) {
            throw new AssertionError(what.get() + ": " + e, e);
        }
    }

    static Outcome outcomeOfRegion(byte[] message, int start, int end) {
        try {
            FlowCodec.decode(buffer(message), start, end, new DecodeStats());
            return Outcome.FLOW;
        } catch (DecodeException e) {
            return Outcome.REJECTED;
        } catch (RuntimeException e) {
            throw new AssertionError("attributes cut to " + start + ".." + end + ": " + e, e);
        }
    }
}
