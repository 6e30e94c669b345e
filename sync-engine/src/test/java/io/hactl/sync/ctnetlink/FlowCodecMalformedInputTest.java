package io.hactl.sync.ctnetlink;

import io.hactl.sync.netlink.AttrReader;
import io.hactl.sync.netlink.DecodeException;
import io.hactl.sync.netlink.NlMsg;

import static io.hactl.sync.ctnetlink.Fixtures.buffer;
import static io.hactl.sync.ctnetlink.Fixtures.concat;
import static io.hactl.sync.ctnetlink.Fixtures.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bytes that are not a well-formed entry are rejected with a DecodeException naming what and where. */
class FlowCodecMalformedInputTest {

    @BeforeAll
    static void fixturesAreLittleEndian() {
        assumeTrue(Fixtures.LITTLE_ENDIAN_HOST, "fixtures carry netlink headers in little-endian host order");
    }

    /** A well-formed CTA_TUPLE_ORIG, so that each case below breaks exactly one thing. */
    static final byte[] ORIG = hex(
            "34 00 01 80",              // CTA_TUPLE_ORIG len=52 nested
            "14 00 01 80",              //   CTA_TUPLE_IP len=20 nested
            "08 00 01 00 0a 00 00 01",  //     CTA_IP_V4_SRC: 10.0.0.1
            "08 00 02 00 0a 00 00 02",  //     CTA_IP_V4_DST: 10.0.0.2
            "1c 00 02 80",              //   CTA_TUPLE_PROTO len=28 nested
            "05 00 01 00 06 00 00 00",  //     CTA_PROTO_NUM: 6 = IPPROTO_TCP
            "06 00 02 00 9c 40 00 00",  //     CTA_PROTO_SRC_PORT: 40000
            "06 00 03 00 01 bb 00 00"); //     CTA_PROTO_DST_PORT: 443

    static Stream<Arguments> malformedAttributes() {
        return Stream.of(
                Arguments.of("truncated attribute header", concat(ORIG, hex(
                        "08 00")),                  // half an nlattr header
                        List.of("conntrack", "2 trailing bytes", "attribute header")),
                Arguments.of("nla_len below the header", concat(ORIG, hex(
                        "02 00 03 00")),            // CTA_STATUS len=2: shorter than its own header
                        List.of("attribute type 3", "length 2", "below the 4-byte header")),
                Arguments.of("nla_len beyond the region", concat(ORIG, hex(
                        "0c 00 03 00 00 00 00 08")), // CTA_STATUS len=12, only 8 bytes left
                        List.of("attribute type 3", "length 12", "only 8 bytes remain")),
                Arguments.of("u32 attribute of 2 bytes", concat(ORIG, hex(
                        "06 00 03 00 00 08 00 00")), // CTA_STATUS len=6: a u16 where a u32 belongs
                        List.of("CTA_STATUS", "length 2", "expected 4")),
                Arguments.of("u16 attribute of 4 bytes", concat(ORIG, hex(
                        "08 00 12 00 00 00 00 05")), // CTA_ZONE len=8: a u32 where a u16 belongs
                        List.of("CTA_ZONE", "length 4", "expected 2")),
                Arguments.of("IPv4 address of 3 bytes", hex(
                        "30 00 01 80",              // CTA_TUPLE_ORIG len=48 nested
                        "10 00 01 80",              //   CTA_TUPLE_IP len=16 nested
                        "07 00 01 00 0a 00 00 00",  //     CTA_IP_V4_SRC len=7: 3 bytes, 1 pad
                        "08 00 02 00 0a 00 00 02",  //     CTA_IP_V4_DST: 10.0.0.2
                        "1c 00 02 80",              //   CTA_TUPLE_PROTO len=28 nested
                        "05 00 01 00 06 00 00 00",  //     CTA_PROTO_NUM: 6
                        "06 00 02 00 9c 40 00 00",  //     CTA_PROTO_SRC_PORT: 40000
                        "06 00 03 00 01 bb 00 00"), //     CTA_PROTO_DST_PORT: 443
                        List.of("CTA_TUPLE_ORIG/CTA_TUPLE_IP", "CTA_IP_V4_SRC", "length 3", "expected 4")),
                Arguments.of("nested attribute overrunning its parent", hex(
                        "20 00 01 80",              // CTA_TUPLE_ORIG len=32 nested
                        "0c 00 01 80",              //   CTA_TUPLE_IP len=12 nested
                        "0c 00 01 00 0a 00 00 01",  //     CTA_IP_V4_SRC len=12: 4 bytes past CTA_TUPLE_IP
                        "10 00 02 80",              //   CTA_TUPLE_PROTO len=16 nested
                        "05 00 01 00 06 00 00 00",  //     CTA_PROTO_NUM: 6
                        "06 00 02 00 9c 40 00 00"), //     CTA_PROTO_SRC_PORT: 40000
                        List.of("CTA_TUPLE_ORIG/CTA_TUPLE_IP", "attribute type 1", "length 12", "only 8 bytes remain")),
                Arguments.of("missing CTA_TUPLE_ORIG", hex(
                        "08 00 03 00 00 00 00 08",  // CTA_STATUS: CONFIRMED
                        "08 00 07 00 00 00 00 78"), // CTA_TIMEOUT: 120
                        List.of("missing CTA_TUPLE_ORIG")),
                Arguments.of("tuple without CTA_PROTO_NUM", hex(
                        "2c 00 01 80",              // CTA_TUPLE_ORIG len=44 nested
                        "14 00 01 80",              //   CTA_TUPLE_IP len=20 nested
                        "08 00 01 00 0a 00 00 01",  //     CTA_IP_V4_SRC: 10.0.0.1
                        "08 00 02 00 0a 00 00 02",  //     CTA_IP_V4_DST: 10.0.0.2
                        "14 00 02 80",              //   CTA_TUPLE_PROTO len=20 nested, no CTA_PROTO_NUM
                        "06 00 02 00 9c 40 00 00",  //     CTA_PROTO_SRC_PORT: 40000
                        "06 00 03 00 01 bb 00 00"), //     CTA_PROTO_DST_PORT: 443
                        List.of("CTA_TUPLE_ORIG", "missing CTA_PROTO_NUM")),
                Arguments.of("tuple without a destination address", hex(
                        "2c 00 01 80",              // CTA_TUPLE_ORIG len=44 nested
                        "0c 00 01 80",              //   CTA_TUPLE_IP len=12 nested
                        "08 00 01 00 0a 00 00 01",  //     CTA_IP_V4_SRC: 10.0.0.1, no CTA_IP_V4_DST
                        "1c 00 02 80",              //   CTA_TUPLE_PROTO len=28 nested
                        "05 00 01 00 06 00 00 00",  //     CTA_PROTO_NUM: 6
                        "06 00 02 00 9c 40 00 00",  //     CTA_PROTO_SRC_PORT: 40000
                        "06 00 03 00 01 bb 00 00"), //     CTA_PROTO_DST_PORT: 443
                        List.of("CTA_TUPLE_ORIG", "missing CTA_TUPLE_IP")),
                Arguments.of("tuple mixing IPv4 and IPv6", hex(
                        "40 00 01 80",              // CTA_TUPLE_ORIG len=64 nested
                        "20 00 01 80",              //   CTA_TUPLE_IP len=32 nested
                        "08 00 01 00 0a 00 00 01",  //     CTA_IP_V4_SRC: 10.0.0.1
                        "14 00 04 00",              //     CTA_IP_V6_DST len=20:
                        "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01", // 2001:db8::1
                        "1c 00 02 80",              //   CTA_TUPLE_PROTO len=28 nested
                        "05 00 01 00 06 00 00 00",  //     CTA_PROTO_NUM: 6
                        "06 00 02 00 9c 40 00 00",  //     CTA_PROTO_SRC_PORT: 40000
                        "06 00 03 00 01 bb 00 00"), //     CTA_PROTO_DST_PORT: 443
                        List.of("CTA_TUPLE_ORIG", "different families")),
                Arguments.of("TCP state beyond TCP_CONNTRACK_MAX", concat(ORIG, hex(
                        "10 00 04 80",              // CTA_PROTOINFO len=16 nested
                        "0c 00 01 80",              //   CTA_PROTOINFO_TCP len=12 nested
                        "05 00 01 00 0a 00 00 00")), //    CTA_PROTOINFO_TCP_STATE: 10 = TCP_CONNTRACK_MAX
                        List.of("CTA_PROTOINFO_TCP_STATE 10", "TCP_CONNTRACK_MAX")),
                Arguments.of("TCP flags of 1 byte", concat(ORIG, hex(
                        "10 00 04 80",              // CTA_PROTOINFO len=16 nested
                        "0c 00 01 80",              //   CTA_PROTOINFO_TCP len=12 nested
                        "05 00 04 00 0a 00 00 00")), //    CTA_PROTOINFO_TCP_FLAGS_ORIGINAL len=5: no mask byte
                        List.of("CTA_PROTOINFO/CTA_PROTOINFO_TCP", "CTA_PROTOINFO_TCP_FLAGS_ORIGINAL", "length 1")),
                Arguments.of("TCP protoinfo on a UDP entry", concat(hex(
                        "34 00 01 80",              // CTA_TUPLE_ORIG len=52 nested
                        "14 00 01 80",              //   CTA_TUPLE_IP len=20 nested
                        "08 00 01 00 0a 00 00 01",  //     CTA_IP_V4_SRC: 10.0.0.1
                        "08 00 02 00 0a 00 00 02",  //     CTA_IP_V4_DST: 10.0.0.2
                        "1c 00 02 80",              //   CTA_TUPLE_PROTO len=28 nested
                        "05 00 01 00 11 00 00 00",  //     CTA_PROTO_NUM: 17 = IPPROTO_UDP
                        "06 00 02 00 00 35 00 00",  //     CTA_PROTO_SRC_PORT: 53
                        "06 00 03 00 00 35 00 00"), //     CTA_PROTO_DST_PORT: 53
                        hex("10 00 04 80",          // CTA_PROTOINFO len=16 nested
                            "0c 00 01 80",          //   CTA_PROTOINFO_TCP len=12 nested
                            "05 00 01 00 03 00 00 00")), //  CTA_PROTOINFO_TCP_STATE: 3
                        List.of("conntrack", "TcpInfo", "protocol 17")),
                Arguments.of("labels longer than 128 bits", concat(ORIG, hex(
                        "18 00 16 00",              // CTA_LABELS len=24: 20 bytes, bit 135 set
                        "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 80 00 00 00")),
                        List.of("labels", "bit 135")),
                Arguments.of("helper name of 16 characters", concat(ORIG, hex(
                        "1c 00 05 80",              // CTA_HELP len=28 nested
                        "15 00 01 00",              //   CTA_HELP_NAME len=21: 16 characters and NUL
                        "61 62 63 64 65 66 67 68 69 6a 6b 6c 6d 6e 6f 70 00 00 00 00")),
                        List.of("CTA_HELP_NAME", "1..15 characters")),
                Arguments.of("NAT range without its minimum address", concat(ORIG, hex(
                        "0c 00 06 80",              // CTA_NAT_SRC len=12 nested
                        "08 00 02 00 c0 00 02 01")), //  CTA_NAT_V4_MAXIP only
                        List.of("CTA_NAT_SRC", "missing minimum address")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedAttributes")
    void malformedAttributesAreRejectedNamingTheAttributeAndLength(String name, byte[] bytes, List<String> says) {
        DecodeStats stats = new DecodeStats();
        assertThatThrownBy(() -> FlowCodec.decode(buffer(bytes), 0, bytes.length, stats))
                .isExactlyInstanceOf(DecodeException.class)
                .message().contains(says);
    }

    static Stream<Arguments> malformedHeaders() {
        return Stream.of(
                Arguments.of("datagram shorter than nlmsghdr", hex(
                        "14 00 00 00 00 01 00 00 01 00 00 00"), // 12 bytes: no nlmsg_pid
                        List.of("12 trailing bytes", "too short for nlmsghdr")),
                Arguments.of("nlmsg_len larger than the datagram", hex(
                        "40 00 00 00",              // nlmsg_len: 64, the datagram has 20
                        "00 01 02 00",              // nlmsg_type: CT_NEW; flags: NLM_F_MULTI
                        "01 00 00 00",              // nlmsg_seq
                        "00 00 00 00",              // nlmsg_pid
                        "02 00 00 00"),             // nfgenmsg: AF_INET
                        List.of("nlmsg_len 64", "outside 16..20")),
                Arguments.of("nlmsg_len below the header", hex(
                        "08 00 00 00",              // nlmsg_len: 8
                        "00 01 02 00",              // nlmsg_type: CT_NEW
                        "01 00 00 00",              // nlmsg_seq
                        "00 00 00 00",              // nlmsg_pid
                        "02 00 00 00"),             // nfgenmsg
                        List.of("nlmsg_len 8", "outside 16..20")),
                Arguments.of("nlmsg_len negative as a signed int", hex(
                        "ff ff ff ff",              // nlmsg_len: 4294967295
                        "00 01 02 00",              // nlmsg_type: CT_NEW
                        "01 00 00 00",              // nlmsg_seq
                        "00 00 00 00"),             // nlmsg_pid
                        List.of("nlmsg_len 4294967295")),
                Arguments.of("NLMSG_ERROR without its error code", hex(
                        "10 00 00 00",              // nlmsg_len: 16, header only
                        "02 00 00 00",              // nlmsg_type: NLMSG_ERROR
                        "01 00 00 00",              // nlmsg_seq
                        "00 00 00 00"),             // nlmsg_pid; int error missing
                        List.of("NLMSG_ERROR of 16 bytes", "error code")),
                Arguments.of("nfnetlink message without nfgenmsg", hex(
                        "10 00 00 00",              // nlmsg_len: 16, header only
                        "00 01 00 00",              // nlmsg_type: CT_NEW
                        "01 00 00 00",              // nlmsg_seq
                        "00 00 00 00"),             // nlmsg_pid; struct nfgenmsg missing
                        List.of("16 bytes", "lacks its 4-byte family header")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedHeaders")
    void malformedMessageHeadersAreRejectedNamingTheLength(String name, byte[] bytes, List<String> says) {
        assertThatThrownBy(() -> Nfgenmsg.read(buffer(bytes), 0))
                .isExactlyInstanceOf(DecodeException.class)
                .message().contains(says);
    }

    @Test
    void aSecondMessageOverrunningTheDatagramIsRejectedAtItsOffset() throws Exception {
        byte[] bytes = hex(
                "14 00 00 00 03 00 02 00 01 00 00 00 00 00 00 00 00 00 00 00", // NLMSG_DONE, 20 bytes
                "20 00 00 00 03 00 02 00 01 00 00 00 00 00 00 00");            // nlmsg_len 32 in 16 bytes
        NlMsg first = Nfgenmsg.read(buffer(bytes), 0);

        assertThatThrownBy(() -> Nfgenmsg.read(buffer(bytes), first.next()))
                .isExactlyInstanceOf(DecodeException.class)
                .hasMessageContaining("nlmsg_len 32 at offset 20");
    }

    @Test
    void attrReaderReportsAWrongSizeOnceAndThenStopsTheWalk() {
        byte[] bytes = hex(
                "06 00 03 00 00 08 00 00",  // CTA_STATUS len=6: 2 bytes
                "08 00 07 00 00 00 00 78"); // CTA_TIMEOUT: 120, never reached
        AttrReader r = new AttrReader(buffer(bytes), 0, bytes.length, "conntrack");

        assertThat(r.next()).isTrue();
        assertThat(r.u32("CTA_STATUS")).isZero();
        assertThat(r.error()).isEqualTo("conntrack: CTA_STATUS has length 2, expected 4");
        assertThat(r.u16("CTA_STATUS")).isZero();   // right size, but the reader already failed
        assertThat(r.bytes("CTA_STATUS", 2)).isNull();
        assertThat(r.next()).isFalse();
        assertThat(r.error()).isEqualTo("conntrack: CTA_STATUS has length 2, expected 4");
    }

    @Test
    void attrReaderRejectsARegionOutsideTheBuffer() {
        AttrReader r = new AttrReader(buffer(new byte[8]), 4, 12, "conntrack");

        assertThat(r.next()).isFalse();
        assertThat(r.error()).contains("region 4..12", "message of 8 bytes");
    }

    @Test
    void attrReaderCarriesANestedErrorUpWithItsPath() {
        byte[] bytes = hex(
                "0c 00 01 80",              // CTA_TUPLE_ORIG len=12 nested
                "08 00 01 80",              //   CTA_TUPLE_IP len=8 nested
                "02 00 01 00");             //     CTA_IP_V4_SRC len=2: below the header
        AttrReader r = new AttrReader(buffer(bytes), 0, bytes.length, "conntrack");
        assertThat(r.next()).isTrue();
        AttrReader tuple = r.nested("CTA_TUPLE_ORIG");
        assertThat(tuple.next()).isTrue();
        AttrReader ip = tuple.nested("CTA_TUPLE_IP");

        assertThat(ip.next()).isFalse();
        assertThat(tuple.absorb(ip)).isFalse();
        assertThat(r.absorb(tuple)).isFalse();
        assertThat(r.error()).isEqualTo(
                "conntrack/CTA_TUPLE_ORIG/CTA_TUPLE_IP: attribute type 1 has length 2, below the 4-byte header");
    }
}
