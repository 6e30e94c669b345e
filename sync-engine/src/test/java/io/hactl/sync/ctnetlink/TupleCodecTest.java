package io.hactl.sync.ctnetlink;

import io.hactl.sync.netlink.AttrReader;
import io.hactl.sync.netlink.AttrWriter;
import io.hactl.sync.netlink.DecodeException;

import static io.hactl.sync.ctnetlink.Ctnl.CTA_TUPLE_MASTER;
import static io.hactl.sync.ctnetlink.Ctnl.CTA_TUPLE_ORIG;
import static io.hactl.sync.ctnetlink.Ctnl.CTA_TUPLE_REPLY;
import static io.hactl.sync.ctnetlink.Fixtures.buffer;
import static io.hactl.sync.ctnetlink.Fixtures.groups;
import static io.hactl.sync.ctnetlink.Fixtures.hex;
import static io.hactl.sync.ctnetlink.Fixtures.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hactl.sync.conntrack.Tuple;
import java.net.Inet6Address;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** CTA_TUPLE_* encoding and decoding against byte fixtures laid out one attribute per line. */
class TupleCodecTest {

    @BeforeAll
    static void fixturesAreLittleEndian() {
        assumeTrue(Fixtures.LITTLE_ENDIAN_HOST, "fixtures carry netlink headers in little-endian host order");
    }

    static Stream<Arguments> tuples() {
        return Stream.of(
                Arguments.of("IPv4 TCP", CTA_TUPLE_ORIG,
                        Tuple.tcp(ip("10.0.0.1"), ip("10.0.0.2"), 40000, 443),
                        hex("34 00 01 80",              // CTA_TUPLE_ORIG len=52 type=1|NLA_F_NESTED
                            "14 00 01 80",              //   CTA_TUPLE_IP len=20 nested
                            "08 00 01 00 0a 00 00 01",  //     CTA_IP_V4_SRC len=8 type=1: 10.0.0.1
                            "08 00 02 00 0a 00 00 02",  //     CTA_IP_V4_DST len=8 type=2: 10.0.0.2
                            "1c 00 02 80",              //   CTA_TUPLE_PROTO len=28 nested
                            "05 00 01 00 06 00 00 00",  //     CTA_PROTO_NUM len=5 type=1: 6 = IPPROTO_TCP, 3 pad
                            "06 00 02 00 9c 40 00 00",  //     CTA_PROTO_SRC_PORT len=6 type=2: 0x9c40 = 40000 BE, 2 pad
                            "06 00 03 00 01 bb 00 00")), //    CTA_PROTO_DST_PORT len=6 type=3: 0x01bb = 443 BE
                Arguments.of("IPv6 UDP", CTA_TUPLE_REPLY,
                        Tuple.udp(ip("2001:db8::1"), ip("2001:db8::53"), 5353, 53),
                        hex("4c 00 02 80",              // CTA_TUPLE_REPLY len=76 type=2|NLA_F_NESTED
                            "2c 00 01 80",              //   CTA_TUPLE_IP len=44 nested
                            "14 00 03 00",              //     CTA_IP_V6_SRC len=20 type=3:
                            "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01", // 2001:db8::1
                            "14 00 04 00",              //     CTA_IP_V6_DST len=20 type=4:
                            "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 53", // 2001:db8::53
                            "1c 00 02 80",              //   CTA_TUPLE_PROTO len=28 nested
                            "05 00 01 00 11 00 00 00",  //     CTA_PROTO_NUM len=5 type=1: 17 = IPPROTO_UDP
                            "06 00 02 00 14 e9 00 00",  //     CTA_PROTO_SRC_PORT len=6 type=2: 0x14e9 = 5353 BE
                            "06 00 03 00 00 35 00 00")), //    CTA_PROTO_DST_PORT len=6 type=3: 0x0035 = 53 BE
                Arguments.of("ICMP echo request", CTA_TUPLE_ORIG,
                        Tuple.icmp(ip("192.0.2.1"), ip("198.51.100.7"), 8, 0, 0x1234),
                        hex("3c 00 01 80",              // CTA_TUPLE_ORIG len=60 nested
                            "14 00 01 80",              //   CTA_TUPLE_IP len=20 nested
                            "08 00 01 00 c0 00 02 01",  //     CTA_IP_V4_SRC len=8 type=1: 192.0.2.1
                            "08 00 02 00 c6 33 64 07",  //     CTA_IP_V4_DST len=8 type=2: 198.51.100.7
                            "24 00 02 80",              //   CTA_TUPLE_PROTO len=36 nested
                            "05 00 01 00 01 00 00 00",  //     CTA_PROTO_NUM len=5 type=1: 1 = IPPROTO_ICMP
                            "06 00 04 00 12 34 00 00",  //     CTA_PROTO_ICMP_ID len=6 type=4: 0x1234 BE
                            "05 00 05 00 08 00 00 00",  //     CTA_PROTO_ICMP_TYPE len=5 type=5: 8 = echo request
                            "05 00 06 00 00 00 00 00")), //    CTA_PROTO_ICMP_CODE len=5 type=6: 0
                Arguments.of("ICMPv6 echo request", CTA_TUPLE_ORIG,
                        Tuple.icmp(ip("2001:db8::1"), ip("2001:db8::2"), 128, 0, 0xbeef),
                        hex("54 00 01 80",              // CTA_TUPLE_ORIG len=84 nested
                            "2c 00 01 80",              //   CTA_TUPLE_IP len=44 nested
                            "14 00 03 00",              //     CTA_IP_V6_SRC len=20 type=3:
                            "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01", // 2001:db8::1
                            "14 00 04 00",              //     CTA_IP_V6_DST len=20 type=4:
                            "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02", // 2001:db8::2
                            "24 00 02 80",              //   CTA_TUPLE_PROTO len=36 nested
                            "05 00 01 00 3a 00 00 00",  //     CTA_PROTO_NUM len=5 type=1: 58 = IPPROTO_ICMPV6
                            "06 00 07 00 be ef 00 00",  //     CTA_PROTO_ICMPV6_ID len=6 type=7: 0xbeef BE
                            "05 00 08 00 80 00 00 00",  //     CTA_PROTO_ICMPV6_TYPE len=5 type=8: 128 = echo request
                            "05 00 09 00 00 00 00 00")), //    CTA_PROTO_ICMPV6_CODE len=5 type=9: 0
                Arguments.of("generic protocol 253", CTA_TUPLE_MASTER,
                        Tuple.other(ip("10.9.8.7"), ip("10.9.8.6"), 253),
                        hex("24 00 0e 80",              // CTA_TUPLE_MASTER len=36 type=14|NLA_F_NESTED
                            "14 00 01 80",              //   CTA_TUPLE_IP len=20 nested
                            "08 00 01 00 0a 09 08 07",  //     CTA_IP_V4_SRC len=8 type=1: 10.9.8.7
                            "08 00 02 00 0a 09 08 06",  //     CTA_IP_V4_DST len=8 type=2: 10.9.8.6
                            "0c 00 02 80",              //   CTA_TUPLE_PROTO len=12 nested
                            "05 00 01 00 fd 00 00 00"))); //   CTA_PROTO_NUM len=5 type=1: 253, no ports
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tuples")
    void encodesTheTupleAsTheKernelLaysItOut(String name, int attrType, Tuple tuple, byte[] fixture) {
        AttrWriter w = new AttrWriter(16);
        TupleCodec.encode(w, attrType, tuple);
        assertThat(groups(w.toByteArray())).isEqualTo(groups(fixture));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tuples")
    void decodesTheFixtureIntoTheTuple(String name, int attrType, Tuple tuple, byte[] fixture) throws Exception {
        DecodeStats stats = new DecodeStats();
        assertThat(decode(fixture, stats)).isEqualTo(tuple);
        assertThat(stats.unknownAttributes).hasValue(0);
    }

    @Test
    void decodingCountsAnUnknownAttributeAndSkipsTheDirectionalZoneSilently() throws Exception {
        byte[] fixture = hex(
                "3c 00 01 80",              // CTA_TUPLE_ORIG len=60 nested
                "14 00 01 80",              //   CTA_TUPLE_IP len=20 nested
                "08 00 01 00 0a 00 00 01",  //     CTA_IP_V4_SRC: 10.0.0.1
                "08 00 02 00 0a 00 00 02",  //     CTA_IP_V4_DST: 10.0.0.2
                "1c 00 02 80",              //   CTA_TUPLE_PROTO len=28 nested
                "05 00 01 00 11 00 00 00",  //     CTA_PROTO_NUM: 17 = IPPROTO_UDP
                "06 00 02 00 00 44 00 00",  //     CTA_PROTO_SRC_PORT: 68
                "06 00 1e 00 00 00 00 00",  //     type=30: unknown to this codec (a newer kernel)
                "06 00 03 00 00 43 00 00"); //   CTA_TUPLE_ZONE len=6 type=3: zone 67, directional, skipped
        DecodeStats stats = new DecodeStats();

        assertThat(decode(fixture, stats)).isEqualTo(Tuple.udp(ip("10.0.0.1"), ip("10.0.0.2"), 68, 0));
        assertThat(stats.unknownAttributes).hasValue(1);
    }

    @Test
    void decodingAcceptsAttributesInAnyOrderAndIgnoresIdentifiersForeignToTheProtocol() throws Exception {
        byte[] fixture = hex(
                "3c 00 01 80",              // CTA_TUPLE_ORIG len=60 nested
                "24 00 02 80",              //   CTA_TUPLE_PROTO len=36 nested, before CTA_TUPLE_IP
                "06 00 03 00 01 bb 00 00",  //     CTA_PROTO_DST_PORT: 443
                "06 00 04 00 12 34 00 00",  //     CTA_PROTO_ICMP_ID: meaningless for TCP
                "06 00 02 00 9c 40 00 00",  //     CTA_PROTO_SRC_PORT: 40000
                "05 00 01 00 06 00 00 00",  //     CTA_PROTO_NUM: 6 = IPPROTO_TCP, last
                "14 00 01 80",              //   CTA_TUPLE_IP len=20 nested
                "08 00 02 00 0a 00 00 02",  //     CTA_IP_V4_DST: 10.0.0.2
                "08 00 01 00 0a 00 00 01"); //     CTA_IP_V4_SRC: 10.0.0.1

        assertThat(decode(fixture, new DecodeStats())).isEqualTo(Tuple.tcp(ip("10.0.0.1"), ip("10.0.0.2"), 40000, 443));
    }

    @Test
    void ipv4MappedAddressesOfAnIpv6TupleStayIpv6() throws Exception {
        byte[] fixture = hex(
                "4c 00 01 80",              // CTA_TUPLE_ORIG len=76 nested
                "2c 00 01 80",              //   CTA_TUPLE_IP len=44 nested
                "14 00 03 00",              //     CTA_IP_V6_SRC len=20 type=3:
                "00 00 00 00 00 00 00 00 00 00 ff ff 0a 00 00 01", // ::ffff:10.0.0.1
                "14 00 04 00",              //     CTA_IP_V6_DST len=20 type=4:
                "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01", // 2001:db8::1
                "1c 00 02 80",              //   CTA_TUPLE_PROTO len=28 nested
                "05 00 01 00 06 00 00 00",  //     CTA_PROTO_NUM: 6 = IPPROTO_TCP
                "06 00 02 00 9c 40 00 00",  //     CTA_PROTO_SRC_PORT: 40000
                "06 00 03 00 01 bb 00 00"); //     CTA_PROTO_DST_PORT: 443

        Tuple t = decode(fixture, new DecodeStats());

        assertThat(t.src()).isInstanceOf(Inet6Address.class);
        assertThat(t.isIpv6()).isTrue();
        AttrWriter w = new AttrWriter(16);
        TupleCodec.encode(w, CTA_TUPLE_ORIG, t);
        assertThat(groups(w.toByteArray())).isEqualTo(groups(fixture));
    }

    /** Decodes one CTA_TUPLE_* attribute, turning the reader's error into an exception. */
    static Tuple decode(byte[] fixture, DecodeStats stats) throws DecodeException {
        AttrReader r = new AttrReader(buffer(fixture), 0, fixture.length, "test");
        assertThat(r.next()).isTrue();
        Tuple t = TupleCodec.decode(r, "CTA_TUPLE_ORIG", stats);
        if (t == null) {
            throw new DecodeException(r.error());
        }
        return t;
    }
}
