package io.hactl.sync.cache;

import io.hactl.sync.wire.CompactFlow;

import static io.hactl.sync.cache.TestFlows.hex;
import static io.hactl.sync.cache.TestFlows.ip;
import static io.hactl.sync.cache.TestFlows.toHex;
import static io.hactl.sync.cache.TestFlows.withoutId;
import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.sync.conntrack.DccpInfo;
import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.SctpInfo;
import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The compact encoding pinned byte by byte: one field per fixture line. */
class CompactFlowFixtureTest {

    static final String IPV4_TCP_ESTABLISHED = """
            01          # format 1
            02          # family AF_INET
            06          # protocol TCP
            0000        # zone 0
            0a000001    # orig src 10.0.0.1
            c0a80102    # orig dst 192.168.1.2
            c350        # orig sport 50000
            0050        # orig dport 80
            001e        # presence: REPLY_INVERSE | TIMEOUT | MARK | PROTOINFO
            0000018e    # status SEEN_REPLY | ASSURED | CONFIRMED | SRC_NAT_DONE | DST_NAT_DONE
            00069780    # timeout 432000 s
            00000000    # mark 0
            03          # tcp state ESTABLISHED
            07          # tcp wscale orig
            07          # tcp wscale reply
            23          # tcp flags orig: WINDOW_SCALE | SACK_PERM | MAXACK_SET
            23          # tcp flags reply
            """;

    static Stream<Arguments> cases() {
        Tuple tcp4 = Tuple.tcp(ip("10.0.0.1"), ip("192.168.1.2"), 50000, 80);
        return Stream.of(
                Arguments.of("ipv4 tcp established, reply is the inverse",
                        TestFlows.established(tcp4),
                        IPV4_TCP_ESTABLISHED),
                Arguments.of("ipv6 udp, nothing optional",
                        Flow.builder(Tuple.udp(ip("2001:db8::1"), ip("2001:db8::2"), 5353, 53)).build(), """
                        01                                  # format 1
                        0a                                  # family AF_INET6
                        11                                  # protocol UDP
                        0000                                # zone 0
                        20010db8000000000000000000000001    # orig src 2001:db8::1
                        20010db8000000000000000000000002    # orig dst 2001:db8::2
                        14e9                                # orig sport 5353
                        0035                                # orig dport 53
                        0000                                # presence: nothing
                        00000000                            # status 0
                        """),
                Arguments.of("ipv4 icmp echo in zone 7",
                        Flow.builder(Tuple.icmp(ip("10.0.0.1"), ip("8.8.8.8"), 8, 0, 0x4242))
                                .reply(Tuple.icmp(ip("8.8.8.8"), ip("10.0.0.1"), 0, 0, 0x4242))
                                .zone(7).status(0x8).timeout(30).build(), """
                        01          # format 1
                        02          # family AF_INET
                        01          # protocol ICMP
                        0007        # zone 7
                        0a000001    # orig src 10.0.0.1
                        08080808    # orig dst 8.8.8.8
                        08          # icmp type 8 (echo request)
                        00          # icmp code 0
                        4242        # icmp id
                        0006        # presence: REPLY_INVERSE | TIMEOUT
                        00000008    # status CONFIRMED
                        0000001e    # timeout 30 s
                        """),
                Arguments.of("ipv4 tcp with a source-NATed reply",
                        Flow.builder(tcp4).reply(Tuple.tcp(ip("192.168.1.2"), ip("203.0.113.7"), 80, 61000))
                                .status(0x19e).timeout(120).mark(0xdeadbeefL)
                                .protoInfo(TcpInfo.ofState(TcpInfo.TIME_WAIT)).build(), """
                        01          # format 1
                        02          # family AF_INET
                        06          # protocol TCP
                        0000        # zone 0
                        0a000001    # orig src 10.0.0.1
                        c0a80102    # orig dst 192.168.1.2
                        c350        # orig sport 50000
                        0050        # orig dport 80
                        001d        # presence: REPLY | TIMEOUT | MARK | PROTOINFO
                        0000019e    # status 0x18e | SRC_NAT
                        c0a80102    # reply src 192.168.1.2
                        cb007107    # reply dst 203.0.113.7 (the SNAT address)
                        0050        # reply sport 80
                        ee48        # reply dport 61000
                        00000078    # timeout 120 s
                        deadbeef    # mark
                        07          # tcp state TIME_WAIT
                        00          # tcp wscale orig
                        00          # tcp wscale reply
                        00          # tcp flags orig
                        00          # tcp flags reply
                        """),
                Arguments.of("ipv4 esp: a protocol without ports",
                        Flow.builder(Tuple.other(ip("10.0.0.1"), ip("10.0.0.2"), 50)).timeout(600).build(), """
                        01          # format 1
                        02          # family AF_INET
                        32          # protocol 50 (ESP): no ports
                        0000        # zone 0
                        0a000001    # orig src 10.0.0.1
                        0a000002    # orig dst 10.0.0.2
                        0004        # presence: TIMEOUT
                        00000000    # status 0
                        00000258    # timeout 600 s
                        """),
                Arguments.of("ipv4 sctp",
                        Flow.builder(Tuple.ports(ip("10.0.0.1"), ip("10.0.0.2"), Tuple.SCTP, 2905, 2905))
                                .protoInfo(new SctpInfo(3, 0xfeedf00dL, 0x01020304L)).build(), """
                        01          # format 1
                        02          # family AF_INET
                        84          # protocol SCTP
                        0000        # zone 0
                        0a000001    # orig src 10.0.0.1
                        0a000002    # orig dst 10.0.0.2
                        0b59        # orig sport 2905
                        0b59        # orig dport 2905
                        0010        # presence: PROTOINFO
                        00000000    # status 0
                        03          # sctp state 3
                        feedf00d    # sctp vtag orig
                        01020304    # sctp vtag reply
                        """),
                Arguments.of("ipv4 dccp",
                        Flow.builder(Tuple.ports(ip("10.0.0.1"), ip("10.0.0.2"), Tuple.DCCP, 5000, 6000))
                                .protoInfo(new DccpInfo(4, 1, 0x0102030405060708L)).build(), """
                        01                  # format 1
                        02                  # family AF_INET
                        21                  # protocol DCCP
                        0000                # zone 0
                        0a000001            # orig src 10.0.0.1
                        0a000002            # orig dst 10.0.0.2
                        1388                # orig sport 5000
                        1770                # orig dport 6000
                        0010                # presence: PROTOINFO
                        00000000            # status 0
                        04                  # dccp state 4
                        01                  # dccp role 1
                        0102030405060708    # dccp handshake seq
                        """),
                Arguments.of("related ftp-data flow with every optional part", TestFlows.everything(), """
                        01          # format 1
                        02          # family AF_INET
                        06          # protocol TCP
                        fffe        # zone 65534
                        c0a80102    # orig src 192.168.1.2
                        0a000001    # orig dst 10.0.0.1
                        0014        # orig sport 20
                        9c41        # orig dport 40001
                        1ffd        # presence: every part but REPLY_INVERSE
                        ffffffff    # status: every bit
                        0a000001    # reply src 10.0.0.1
                        cb007107    # reply dst 203.0.113.7
                        9c41        # reply sport 40001
                        0014        # reply dport 20
                        ffffffff    # timeout 4294967295 s
                        00000000    # mark 0
                        09          # tcp state SYN_SENT2
                        0e          # tcp wscale orig 14
                        00          # tcp wscale reply 0
                        ff          # tcp flags orig
                        00          # tcp flags reply
                        02          # master family AF_INET
                        06          # master protocol TCP
                        0a000001    # master src 10.0.0.1
                        c0a80102    # master dst 192.168.1.2
                        9c40        # master sport 40000
                        0015        # master dport 21
                        02          # snat family AF_INET
                        cb007101    # snat min ip 203.0.113.1
                        cb007109    # snat max ip 203.0.113.9
                        0400        # snat min port 1024
                        ffff        # snat max port 65535
                        02          # dnat family AF_INET
                        0a000001    # dnat min ip 10.0.0.1
                        0a000001    # dnat max ip 10.0.0.1
                        1f90        # dnat min port 8080
                        1f90        # dnat max port 8080
                        00000001    # seqadj orig correction pos
                        00000002    # seqadj orig offset before
                        00000003    # seqadj orig offset after
                        ffffffff    # seqadj reply correction pos
                        00000000    # seqadj reply offset before
                        80000000    # seqadj reply offset after
                        03          # helper length
                        667470      # helper "ftp"
                        10          # labels length 16
                        01          # labels 0..7: label 0
                        02          # labels 8..15: label 9
                        00000000000000000000000000 # labels 16..119: none
                        80          # labels 120..127: label 127
                        0000000b    # synproxy isn
                        0000000c    # synproxy its
                        0000000d    # synproxy tsoff
                        """));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void encodesToTheFixture(String name, Flow flow, String fixture) {
        assertThat(toHex(CompactFlow.encode(flow))).isEqualTo(toHex(hex(fixture)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decodesTheFixture(String name, Flow flow, String fixture) throws Exception {
        assertThat(CompactFlow.decode(hex(fixture))).isEqualTo(withoutId(flow));
    }

    @Test
    void typicalIpv4TcpFlowTakes36Bytes() {
        assertThat(CompactFlow.encode(TestFlows.tcp4(1))).hasSize(36);
        assertThat(CompactFlow.encode(TestFlows.tcp6(1))).hasSize(60);
    }

    @Test
    void keyIsThePrefixOfTheEncoding() {
        byte[] key = CompactFlow.encodeKey(Tuple.tcp(ip("10.0.0.1"), ip("192.168.1.2"), 50000, 80), 0);
        assertThat(toHex(key)).isEqualTo(toHex(hex(IPV4_TCP_ESTABLISHED)).substring(0, 2 * 17));
    }

    @Test
    void kernelIdIsNotEncoded() {
        Flow f = TestFlows.tcp4(5);
        assertThat(CompactFlow.encode(f.toBuilder().id(1).build()))
                .isEqualTo(CompactFlow.encode(f.toBuilder().id(Flow.ABSENT).build()));
    }
}
