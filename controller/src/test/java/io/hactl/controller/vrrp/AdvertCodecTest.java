package io.hactl.controller.vrrp;

import static io.hactl.controller.vrrp.Fixtures.KEEPALIVED_V2_SUM_V4;
import static io.hactl.controller.vrrp.Fixtures.KEEPALIVED_V4;
import static io.hactl.controller.vrrp.Fixtures.KEEPALIVED_V6;
import static io.hactl.controller.vrrp.Fixtures.V4_GROUP;
import static io.hactl.controller.vrrp.Fixtures.V4_HEADER;
import static io.hactl.controller.vrrp.Fixtures.V4_SOURCE;
import static io.hactl.controller.vrrp.Fixtures.V6_GROUP;
import static io.hactl.controller.vrrp.Fixtures.V6_HEADER;
import static io.hactl.controller.vrrp.Fixtures.V6_SOURCE;
import static io.hactl.controller.vrrp.Fixtures.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AdvertCodecTest {

    @Test
    void decodesWhatKeepalivedSendsOverIpv4() {
        ReceiveVerdict v = AdvertCodec.decode(V4_HEADER, KEEPALIVED_V4);

        assertThat(v.accepted()).isTrue();
        assertThat(v.checksum()).isEqualTo(ChecksumMode.RFC);
        assertThat(v.advert()).isEqualTo(new Advertisement(3, 1, 61, 200, 100, 0x59b8, IpFamily.IPV4,
                List.of(ip("10.10.0.1"))));
    }

    @Test
    void decodesWhatKeepalivedSendsOverIpv6() {
        ReceiveVerdict v = AdvertCodec.decode(V6_HEADER, KEEPALIVED_V6);

        assertThat(v.accepted()).isTrue();
        assertThat(v.checksum()).isEqualTo(ChecksumMode.RFC);
        assertThat(v.advert()).isEqualTo(new Advertisement(3, 1, 61, 200, 100, 0xb3d4, IpFamily.IPV6,
                List.of(ip("fe80::1"), ip("2001:db8::1"))));
    }

    @Test
    void acceptsTheChecksumWithoutPseudoHeaderOverIpv4AndSaysSo() {
        ReceiveVerdict v = AdvertCodec.decode(V4_HEADER, KEEPALIVED_V2_SUM_V4);

        assertThat(v.accepted()).isTrue();
        assertThat(v.checksum()).isEqualTo(ChecksumMode.KEEPALIVED_V2);
    }

    @Test
    void ipv6HasOnlyThePseudoHeaderChecksum() {
        byte[] noPseudo = KEEPALIVED_V6.clone();
        int sum = VrrpChecksum.compute(noPseudo, V6_SOURCE, V6_GROUP, IpFamily.IPV6, ChecksumMode.KEEPALIVED_V2);
        assertThat(sum).as("KEEPALIVED_V2 does not change an IPv6 sum").isEqualTo(0xb3d4);
        noPseudo[6] = (byte) 0xda; // the sum without pseudo-header, 0xda1f
        noPseudo[7] = (byte) 0x1f;

        assertThat(AdvertCodec.decode(V6_HEADER, noPseudo).drop()).isEqualTo(DropReason.BAD_CHECKSUM);
    }

    /** The checksum keepalived sent, and the other variant, come out of seal() byte for byte. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("sealed")
    void sealsAsKeepalivedDoes(String name, IpHeader header, ChecksumMode mode, byte[] wire) {
        Advertisement decoded = AdvertCodec.decode(header, wire).advert();
        Advertisement fresh = Advertisement.of(decoded.vrid(), decoded.priority(), decoded.maxAdverInterval(),
                decoded.addresses());

        byte[] out = AdvertCodec.encodeSealed(fresh, header.source(), header.destination(), mode);

        assertThat(out).isEqualTo(wire);
    }

    static Stream<Arguments> sealed() {
        return Stream.of(
                Arguments.of("IPv4 rfc", V4_HEADER, ChecksumMode.RFC, KEEPALIVED_V4),
                Arguments.of("IPv4 keepalived-v2", V4_HEADER, ChecksumMode.KEEPALIVED_V2, KEEPALIVED_V2_SUM_V4),
                Arguments.of("IPv6 rfc", V6_HEADER, ChecksumMode.RFC, KEEPALIVED_V6),
                Arguments.of("IPv6 keepalived-v2 is still the pseudo-header sum", V6_HEADER,
                        ChecksumMode.KEEPALIVED_V2, KEEPALIVED_V6));
    }

    @Test
    void encodeThenDecodeGivesTheSameAdvertisementForEveryMode() {
        Random random = new Random(17);
        for (int i = 0; i < 200; i++) {
            boolean v6 = random.nextBoolean();
            int count = 1 + random.nextInt(v6 ? 5 : 20);
            List<InetAddress> addresses = new ArrayList<>();
            for (int a = 0; a < count; a++) {
                byte[] raw = new byte[v6 ? 16 : 4];
                random.nextBytes(raw);
                addresses.add(v6 ? addressV6(raw) : ip((raw[0] & 0xFF) + "." + (raw[1] & 0xFF) + "."
                        + (raw[2] & 0xFF) + "." + (raw[3] & 0xFF)));
            }
            Advertisement advert = Advertisement.of(1 + random.nextInt(255), random.nextInt(256),
                    1 + random.nextInt(4095), addresses);
            IpHeader header = v6 ? V6_HEADER : V4_HEADER;
            ChecksumMode mode = random.nextBoolean() ? ChecksumMode.RFC : ChecksumMode.KEEPALIVED_V2;
            Advertisement sealed = AdvertCodec.seal(advert, header.source(), header.destination(), mode);

            ReceiveVerdict v = AdvertCodec.decode(header, AdvertCodec.encode(sealed));

            assertThat(v.accepted()).as("case %d", i).isTrue();
            assertThat(v.advert()).isEqualTo(sealed);
            assertThat(AdvertCodec.encode(v.advert())).isEqualTo(AdvertCodec.encode(sealed));
        }
    }

    @Test
    void anIpv4MappedAddressStaysAnIpv6Address() throws Exception {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 10;
        mapped[15] = 1;
        Advertisement advert = Advertisement.of(7, 100, 100, List.of(ip("fe80::1"), addressV6(mapped)));
        byte[] wire = AdvertCodec.encodeSealed(advert, V6_SOURCE, V6_GROUP, ChecksumMode.RFC);

        ReceiveVerdict v = AdvertCodec.decode(V6_HEADER, wire);

        assertThat(v.accepted()).isTrue();
        assertThat(v.advert().addresses().get(1).getAddress()).isEqualTo(mapped);
    }

    /** One case per packet-level check of RFC 9568 section 7.1, each a keepalived packet with one fault. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void dropsWhatSection71Refuses(String name, IpHeader header, byte[] wire, DropReason expected) {
        assertThat(AdvertCodec.decode(header, wire).drop()).isEqualTo(expected);
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("empty", V4_HEADER, new byte[0], DropReason.TOO_SHORT),
                Arguments.of("fixed header cut", V4_HEADER, Arrays.copyOf(KEEPALIVED_V4, 7), DropReason.TOO_SHORT),
                Arguments.of("TTL 254", new IpHeader(IpFamily.IPV4, V4_SOURCE, V4_GROUP, 254), KEEPALIVED_V4,
                        DropReason.BAD_TTL),
                Arguments.of("hop limit 1", new IpHeader(IpFamily.IPV6, V6_SOURCE, V6_GROUP, 1), KEEPALIVED_V6,
                        DropReason.BAD_TTL),
                Arguments.of("VRRPv2", V4_HEADER, resum(with(KEEPALIVED_V4, 0, 0x21)), DropReason.BAD_VERSION),
                Arguments.of("type 2", V4_HEADER, resum(with(KEEPALIVED_V4, 0, 0x32)), DropReason.BAD_TYPE),
                Arguments.of("no addresses", V4_HEADER, resum(Arrays.copyOf(with(KEEPALIVED_V4, 3, 0), 8)),
                        DropReason.NO_ADDRESSES),
                Arguments.of("address cut", V4_HEADER, Arrays.copyOf(KEEPALIVED_V4, 11), DropReason.LENGTH_MISMATCH),
                Arguments.of("count 2, one address", V4_HEADER, resum(with(KEEPALIVED_V4, 3, 2)),
                        DropReason.LENGTH_MISMATCH),
                Arguments.of("trailing octets", V4_HEADER, Arrays.copyOf(KEEPALIVED_V4, 16),
                        DropReason.LENGTH_MISMATCH),
                Arguments.of("IPv4 addresses in IPv6", V6_HEADER, KEEPALIVED_V4, DropReason.LENGTH_MISMATCH),
                Arguments.of("checksum off by one", V4_HEADER, with(KEEPALIVED_V4, 7, 0xb9), DropReason.BAD_CHECKSUM),
                Arguments.of("priority changed, checksum kept", V4_HEADER, with(KEEPALIVED_V4, 2, 0xc9),
                        DropReason.BAD_CHECKSUM),
                Arguments.of("another source", new IpHeader(IpFamily.IPV4, ip("192.0.2.11"), V4_GROUP, 255),
                        KEEPALIVED_V4, DropReason.BAD_CHECKSUM),
                Arguments.of("zero interval", V4_HEADER, resum(with(with(KEEPALIVED_V4, 4, 0), 5, 0)),
                        DropReason.ZERO_INTERVAL),
                Arguments.of("zero interval, reserved bits set", V4_HEADER,
                        resum(with(with(KEEPALIVED_V4, 4, 0xF0), 5, 0)), DropReason.ZERO_INTERVAL),
                Arguments.of("VRID 0", V4_HEADER, resum(with(KEEPALIVED_V4, 1, 0)), DropReason.UNKNOWN_VRID));
    }

    @Test
    void ignoresTheReservedBits() {
        ReceiveVerdict v = AdvertCodec.decode(V4_HEADER, resum(with(KEEPALIVED_V4, 4, 0xF0)));

        assertThat(v.accepted()).isTrue();
        assertThat(v.advert().maxAdverInterval()).isEqualTo(100);
    }

    @Test
    void neverThrowsOnRandomInput() {
        Random random = new Random(5798);
        for (int i = 0; i < 20_000; i++) {
            byte[] wire = new byte[random.nextInt(48)];
            random.nextBytes(wire);
            if (wire.length > 0 && random.nextBoolean()) {
                wire[0] = 0x31;
            }
            IpHeader header = random.nextBoolean() ? V4_HEADER : V6_HEADER;
            if (random.nextBoolean() && wire.length >= 8) {
                wire = resum(header, wire);
            }
            ReceiveVerdict v = AdvertCodec.decode(header, wire);
            assertThat(v.accepted() ? v.advert() : v.drop()).isNotNull();
        }
    }

    @Test
    void anOffsetOutsideTheArrayIsTheCallersBugNotTheNetworks() {
        assertThatThrownBy(() -> AdvertCodec.decode(V4_HEADER, KEEPALIVED_V4, 4, 12))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void decodesFromTheMiddleOfABuffer() {
        byte[] buffer = new byte[20 + KEEPALIVED_V4.length + 5];
        System.arraycopy(KEEPALIVED_V4, 0, buffer, 20, KEEPALIVED_V4.length);

        ReceiveVerdict v = AdvertCodec.decode(V4_HEADER, buffer, 20, KEEPALIVED_V4.length);

        assertThat(v.accepted()).isTrue();
        assertThat(v.advert().vrid()).isEqualTo(61);
    }

    @Test
    void theRecordRefusesWhatTheWireCannotCarry() {
        List<InetAddress> one = List.of(ip("10.0.0.1"));
        assertThatThrownBy(() -> Advertisement.of(0, 100, 100, one)).hasMessageContaining("vrid");
        assertThatThrownBy(() -> Advertisement.of(1, 256, 100, one)).hasMessageContaining("priority");
        assertThatThrownBy(() -> Advertisement.of(1, 100, 0, one)).hasMessageContaining("interval");
        assertThatThrownBy(() -> Advertisement.of(1, 100, 4096, one)).hasMessageContaining("interval");
        assertThatThrownBy(() -> Advertisement.of(1, 100, 100, List.of())).hasMessageContaining("addresses");
        assertThatThrownBy(() -> Advertisement.of(1, 100, 100, List.of(ip("10.0.0.1"), ip("::1"))))
                .hasMessageContaining("is not IPV4");
        assertThatThrownBy(() -> new Advertisement(2, 1, 1, 100, 100, 0, IpFamily.IPV4, one))
                .hasMessageContaining("version");
    }

    static byte[] with(byte[] wire, int index, int value) {
        byte[] out = wire.clone();
        out[index] = (byte) value;
        return out;
    }

    /** A valid RFC checksum for a changed IPv4 fixture, so only the intended fault remains. */
    static byte[] resum(byte[] wire) {
        return resum(V4_HEADER, wire);
    }

    static byte[] resum(IpHeader header, byte[] wire) {
        byte[] out = wire.clone();
        int sum = VrrpChecksum.compute(out, header.source(), header.destination(), header.family(),
                ChecksumMode.RFC);
        out[6] = (byte) (sum >>> 8);
        out[7] = (byte) sum;
        return out;
    }

    static InetAddress addressV6(byte[] raw) {
        try {
            return Inet6Address.getByAddress(null, raw, -1);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
