package io.hactl.sync.ctnetlink;

import io.hactl.sync.netlink.AttrWriter;
import io.hactl.sync.netlink.DecodeException;
import io.hactl.sync.netlink.NlMsg;

import static io.hactl.sync.ctnetlink.Ctnl.IPCTNL_MSG_CT_NEW;
import static io.hactl.sync.ctnetlink.Ctnl.IPS_ASSURED;
import static io.hactl.sync.ctnetlink.Ctnl.IPS_DST_NAT;
import static io.hactl.sync.ctnetlink.Ctnl.IPS_DST_NAT_DONE;
import static io.hactl.sync.ctnetlink.Ctnl.IPS_FIXED_TIMEOUT;
import static io.hactl.sync.ctnetlink.Ctnl.IPS_SEEN_REPLY;
import static io.hactl.sync.netlink.Netlink.NLM_F_CREATE;
import static io.hactl.sync.netlink.Netlink.NLM_F_REQUEST;
import static io.hactl.sync.ctnetlink.Fixtures.buffer;
import static io.hactl.sync.ctnetlink.Fixtures.groups;
import static io.hactl.sync.ctnetlink.Fixtures.ip;
import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.sync.conntrack.DccpInfo;
import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.NatRange;
import io.hactl.sync.conntrack.SctpInfo;
import io.hactl.sync.conntrack.SeqAdj;
import io.hactl.sync.conntrack.Synproxy;
import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Decode-encode-decode round trips over whole netlink messages. Works in host order on any host:
 * the bytes are produced by the encoder, not fixtures.
 */
class FlowCodecRoundTripTest {

    static BitSet bits(int... set) {
        BitSet b = new BitSet();
        for (int i : set) {
            b.set(i);
        }
        return b;
    }

    static Stream<Arguments> flows() {
        return Stream.of(
                Arguments.of("IPv4 TCP, only the essentials", Flow.builder(
                        Tuple.tcp(ip("10.0.0.1"), ip("10.0.0.2"), 40000, 443))
                        .status(IPS_SEEN_REPLY | IPS_ASSURED).timeout(300)
                        .protoInfo(TcpInfo.ofState(TcpInfo.ESTABLISHED)).build()),
                Arguments.of("IPv6 TCP with every optional part at its limits", Flow.builder(
                        Tuple.tcp(ip("2001:db8::1"), ip("2001:db8::80"), 65535, 80))
                        .reply(Tuple.tcp(ip("2001:db8::10"), ip("2001:db8::1"), 8000, 65535))
                        .zone(65535).status(0xffff_ffffL).timeout(0xffff_ffffL).mark(0xffff_ffffL)
                        .protoInfo(new TcpInfo(TcpInfo.SYN_SENT2, 14, 0, 0xff, 0))
                        .master(Tuple.tcp(ip("2001:db8::1"), ip("2001:db8::80"), 1, 21))
                        .snat(NatRange.to(ip("2001:db8::fe")))
                        .dnat(new NatRange(ip("2001:db8::10"), ip("2001:db8::20"), 8000, 8010))
                        .seqAdjOrig(new SeqAdj(0xffff_ffffL, 0xffff_ffffL, 0))
                        .seqAdjReply(new SeqAdj(0, 0, 0xffff_ffffL))
                        .helper("abcdefghijklmno").labels(bits(0, 63, 64, 127))
                        .synproxy(new Synproxy(0xffff_ffffL, 1, 0)).build()),
                Arguments.of("IPv4 UDP, no reply given, mark 0, zero timeout", Flow.builder(
                        Tuple.udp(ip("192.0.2.1"), ip("198.51.100.7"), 5353, 53))
                        .timeout(0).mark(0).build()),
                Arguments.of("IPv6 UDP with a DNAT reply and status NAT bits", Flow.builder(
                        Tuple.udp(ip("2001:db8::1"), ip("2001:db8::53"), 1024, 53))
                        .reply(Tuple.udp(ip("fd00::53"), ip("2001:db8::1"), 5300, 1024))
                        .status(IPS_SEEN_REPLY | IPS_DST_NAT | IPS_DST_NAT_DONE | IPS_FIXED_TIMEOUT)
                        .timeout(30).build()),
                Arguments.of("ICMP echo, reply from the inverse", Flow.builder(
                        Tuple.icmp(ip("192.0.2.1"), ip("198.51.100.7"), 8, 0, 0x1234))
                        .timeout(30).build()),
                Arguments.of("ICMPv6 echo with explicit reply", Flow.builder(
                        Tuple.icmp(ip("2001:db8::1"), ip("2001:db8::2"), 128, 0, 0xffff))
                        .reply(Tuple.icmp(ip("2001:db8::2"), ip("2001:db8::1"), 129, 0, 0xffff))
                        .status(IPS_SEEN_REPLY).timeout(29).mark(3).build()),
                Arguments.of("ICMP destination unreachable (type without inverse)", Flow.builder(
                        Tuple.icmp(ip("10.0.0.1"), ip("10.0.0.2"), 3, 13, 0))
                        .timeout(1).build()),
                Arguments.of("IPv4 SCTP with verification tags", Flow.builder(
                        Tuple.ports(ip("10.0.0.1"), ip("10.0.0.2"), Tuple.SCTP, 2905, 2905))
                        .status(IPS_SEEN_REPLY | IPS_ASSURED).timeout(432000)
                        .protoInfo(new SctpInfo(3, 0xdeadbeefL, 0x12345678L)).build()),
                Arguments.of("IPv6 DCCP with a 64-bit handshake sequence", Flow.builder(
                        Tuple.ports(ip("2001:db8::1"), ip("2001:db8::2"), Tuple.DCCP, 5004, 5005))
                        .timeout(43200).zone(7)
                        .protoInfo(new DccpInfo(4, 1, 0x0123_4567_89ab_cdefL)).build()),
                Arguments.of("IPv4 GRE keyed by its port fields", Flow.builder(
                        Tuple.ports(ip("10.0.0.1"), ip("10.0.0.2"), Tuple.GRE, 0x1111, 0x2222))
                        .timeout(180).build()),
                Arguments.of("IPv4 UDP-Lite", Flow.builder(
                        Tuple.ports(ip("10.0.0.1"), ip("10.0.0.2"), Tuple.UDPLITE, 1000, 2000))
                        .timeout(30).labels(bits(5)).build()),
                Arguments.of("IPv6 generic protocol 253 with a master", Flow.builder(
                        Tuple.other(ip("2001:db8::1"), ip("2001:db8::2"), 253))
                        .status(IPS_SEEN_REPLY).timeout(600).mark(0x80000000L)
                        .master(Tuple.udp(ip("2001:db8::1"), ip("2001:db8::2"), 1, 2)).build()),
                Arguments.of("IPv4 TCP with an empty label set (nothing to send)", Flow.builder(
                        Tuple.tcp(ip("10.0.0.1"), ip("10.0.0.2"), 1, 2))
                        .timeout(10).labels(new BitSet()).protoInfo(TcpInfo.ofState(TcpInfo.CLOSE)).build()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("flows")
    void decodeEncodeDecodeGivesEqualFlows(String name, Flow flow) throws Exception {
        byte[] first = message(flow);
        Flow decoded = decodeMessage(first);

        assertThat(decoded).isEqualTo(asWritten(flow));

        byte[] second = message(decoded);
        assertThat(groups(second)).isEqualTo(groups(first));
        assertThat(decodeMessage(second)).isEqualTo(decoded);
    }

    @Test
    void theRecordedKernelEntryRoundTripsExceptItsIdWhichIsNeverWritten() throws Exception {
        ByteBuffer buf = buffer(FlowCodecTest.RECORDED_KERNEL_618);
        NlMsg msg = Nfgenmsg.read(buf, 0);
        Flow fromKernel = FlowCodec.decode(buf, msg.attrStart(), msg.end(), new DecodeStats());

        Flow decoded = decodeMessage(message(fromKernel));

        assertThat(decoded).isEqualTo(fromKernel.toBuilder().id(Flow.ABSENT).build());
        assertThat(decodeMessage(message(decoded))).isEqualTo(decoded);
    }

    /** What the kernel would hold after the encoder wrote {@code f}. */
    static Flow asWritten(Flow f) {
        BitSet labels = f.labels();
        return f.toBuilder()
                .reply(f.replyOrInverse())
                .status(FlowCodec.writableStatus(f.status()))
                .labels(labels == null || labels.isEmpty() ? null : labels)
                .build();
    }

    /** A complete CT_NEW request for {@code f}, as Conntrack sends it. */
    static byte[] message(Flow f) {
        AttrWriter w = new AttrWriter(64);
        int m = Nfgenmsg.begin(w, Ctnl.ctMessageType(IPCTNL_MSG_CT_NEW), NLM_F_REQUEST | NLM_F_CREATE, 1, f.family(), 0);
        FlowCodec.encode(w, f);
        w.endMessage(m);
        return w.toByteArray();
    }

    static Flow decodeMessage(byte[] bytes) throws DecodeException {
        ByteBuffer buf = buffer(bytes);
        NlMsg msg = Nfgenmsg.read(buf, 0);
        assertThat(msg.end()).isEqualTo(bytes.length);
        DecodeStats stats = new DecodeStats();
        Flow f = FlowCodec.decode(buf, msg.attrStart(), msg.end(), stats);
        assertThat(stats.unknownAttributes).hasValue(0);
        return f;
    }
}
