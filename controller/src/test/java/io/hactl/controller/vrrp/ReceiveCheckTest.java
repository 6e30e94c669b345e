package io.hactl.controller.vrrp;

import static io.hactl.controller.vrrp.AdvertCodecTest.resum;
import static io.hactl.controller.vrrp.AdvertCodecTest.with;
import static io.hactl.controller.vrrp.Fixtures.KEEPALIVED_V2_SUM_V4;
import static io.hactl.controller.vrrp.Fixtures.KEEPALIVED_V4;
import static io.hactl.controller.vrrp.Fixtures.KEEPALIVED_V6;
import static io.hactl.controller.vrrp.Fixtures.V4_GROUP;
import static io.hactl.controller.vrrp.Fixtures.V4_HEADER;
import static io.hactl.controller.vrrp.Fixtures.V6_HEADER;
import static io.hactl.controller.vrrp.Fixtures.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ReceiveCheckTest {
    /** This node's side of the keepalived fixture's virtual router 61: same addresses and interval. */
    static final InstanceConfig LAN = config("LAN", 61, 150, 100, "192.0.2.20", "10.10.0.1");
    static final InstanceConfig WAN = config("WAN", 62, 150, 100, "192.0.2.20", "10.20.0.1");

    final ReceiveCounters counters = new ReceiveCounters();
    final ReceiveCheck check = new ReceiveCheck("lan", IpFamily.IPV4, List.of(LAN, WAN), counters, System::nanoTime);

    @Test
    void acceptsKeepalivedsAdvertisementForAConfiguredVrid() {
        ReceiveVerdict v = check.check(V4_HEADER, KEEPALIVED_V4);

        assertThat(v.accepted()).isTrue();
        assertThat(v.mismatches()).isEmpty();
        assertThat(counters.accepted()).isEqualTo(1);
        assertThat(counters.drops().values()).containsOnly(0L);
    }

    /** Section 7.1 check by check: the packet, then the local configuration. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void dropsAndCountsEachReason(String name, ReceiveCheck subject, IpHeader header, byte[] wire,
            DropReason expected) {
        ReceiveVerdict v = subject.check(header, wire);

        assertThat(v.drop()).isEqualTo(expected);
        assertThat(subject.counters().dropped(expected)).isEqualTo(1);
        assertThat(subject.counters().accepted()).isZero();
        for (DropReason other : DropReason.values()) {
            if (other != expected) {
                assertThat(subject.counters().dropped(other)).as(other.name()).isZero();
            }
        }
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("too short", fresh(LAN), V4_HEADER, new byte[3], DropReason.TOO_SHORT),
                Arguments.of("TTL 64", fresh(LAN), new IpHeader(IpFamily.IPV4, Fixtures.V4_SOURCE, V4_GROUP, 64),
                        KEEPALIVED_V4, DropReason.BAD_TTL),
                Arguments.of("version 2", fresh(LAN), V4_HEADER, resum(with(KEEPALIVED_V4, 0, 0x21)),
                        DropReason.BAD_VERSION),
                Arguments.of("type 0", fresh(LAN), V4_HEADER, resum(with(KEEPALIVED_V4, 0, 0x30)),
                        DropReason.BAD_TYPE),
                Arguments.of("count 0", fresh(LAN), V4_HEADER, resum(with(KEEPALIVED_V4, 3, 0)),
                        DropReason.NO_ADDRESSES),
                Arguments.of("count 3", fresh(LAN), V4_HEADER, resum(with(KEEPALIVED_V4, 3, 3)),
                        DropReason.LENGTH_MISMATCH),
                Arguments.of("checksum", fresh(LAN), V4_HEADER, with(KEEPALIVED_V4, 6, 0), DropReason.BAD_CHECKSUM),
                Arguments.of("interval 0", fresh(LAN), V4_HEADER, resum(with(KEEPALIVED_V4, 5, 0)),
                        DropReason.ZERO_INTERVAL),
                Arguments.of("VRID 61 not here", fresh(WAN), V4_HEADER, KEEPALIVED_V4, DropReason.UNKNOWN_VRID),
                Arguments.of("IPv6 on an IPv4 receiver", fresh(LAN), V6_HEADER, KEEPALIVED_V6,
                        DropReason.UNKNOWN_VRID),
                Arguments.of("our own advertisement", fresh(config("LAN", 61, 200, 100, "192.0.2.10", "10.10.0.1")),
                        V4_HEADER, KEEPALIVED_V4, DropReason.FROM_SELF));
    }

    @Test
    void everyDropReasonHasACase() {
        Set<DropReason> covered = EnumSet.noneOf(DropReason.class);
        refused().forEach(a -> covered.add((DropReason) a.get()[4]));

        assertThat(covered).containsExactlyInAnyOrder(DropReason.values());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mismatched")
    void logsButKeepsAdvertisementsThatDisagreeWithTheConfiguration(String name, InstanceConfig local,
            Set<Mismatch> expected) {
        ReceiveCheck subject = fresh(local);

        ReceiveVerdict v = subject.check(V4_HEADER, KEEPALIVED_V4);

        assertThat(v.accepted()).isTrue();
        assertThat(v.mismatches()).isEqualTo(expected);
        for (Mismatch m : Mismatch.values()) {
            assertThat(subject.counters().mismatched(m)).as(m.name()).isEqualTo(expected.contains(m) ? 1 : 0);
        }
    }

    static Stream<Arguments> mismatched() {
        return Stream.of(
                Arguments.of("interval 1 s vs 0.1 s", config("LAN", 61, 150, 10, "192.0.2.20", "10.10.0.1"),
                        Set.of(Mismatch.ADVER_INTERVAL)),
                Arguments.of("another address", config("LAN", 61, 150, 100, "192.0.2.20", "10.10.0.2"),
                        Set.of(Mismatch.ADDRESS_LIST)),
                Arguments.of("one address more", config("LAN", 61, 150, 100, "192.0.2.20", "10.10.0.1", "10.10.0.2"),
                        Set.of(Mismatch.ADDRESS_LIST)),
                Arguments.of("we own the addresses", config("LAN", 61, 255, 100, "192.0.2.20", "10.10.0.1"),
                        Set.of(Mismatch.ADDRESS_OWNER)),
                Arguments.of("both", config("LAN", 61, 150, 300, "192.0.2.20", "10.10.9.9"),
                        Set.of(Mismatch.ADDRESS_LIST, Mismatch.ADVER_INTERVAL)));
    }

    @Test
    void theAddressListMayComeInAnyOrder() {
        InstanceConfig two = config("LAN", 61, 150, 100, "192.0.2.20", "10.10.0.2", "10.10.0.1");
        Advertisement advert = Advertisement.of(61, 200, 100, List.of(ip("10.10.0.1"), ip("10.10.0.2")));
        byte[] wire = AdvertCodec.encodeSealed(advert, Fixtures.V4_SOURCE, V4_GROUP, ChecksumMode.RFC);

        assertThat(fresh(two).check(V4_HEADER, wire).mismatches()).isEmpty();
    }

    @Test
    void acceptsBothChecksumVariantsWhateverThisNodeSends() {
        assertThat(check.check(V4_HEADER, KEEPALIVED_V4).checksum()).isEqualTo(ChecksumMode.RFC);
        assertThat(check.check(V4_HEADER, KEEPALIVED_V2_SUM_V4).checksum()).isEqualTo(ChecksumMode.KEEPALIVED_V2);
        assertThat(counters.accepted()).isEqualTo(2);
    }

    @Test
    void acceptsIpv6ForAnIpv6Instance() {
        InstanceConfig v6 = config("LAN6", 61, 150, 100, "fe80::2", "fe80::1", "2001:db8::1");
        ReceiveCheck subject = new ReceiveCheck("lan", IpFamily.IPV6, List.of(v6), new ReceiveCounters(),
                System::nanoTime);

        ReceiveVerdict v = subject.check(V6_HEADER, KEEPALIVED_V6);

        assertThat(v.accepted()).isTrue();
        assertThat(v.mismatches()).isEmpty();
    }

    @Test
    void refusesAConfigurationItCannotRouteBy() {
        assertThatThrownBy(() -> new ReceiveCheck("lan", IpFamily.IPV4, List.of(LAN, config("X", 61, 100, 100,
                "192.0.2.20", "10.30.0.1")), new ReceiveCounters(), System::nanoTime))
                .hasMessageContaining("share vrid 61");
        assertThatThrownBy(() -> new ReceiveCheck("lan", IpFamily.IPV6, List.of(LAN), new ReceiveCounters(),
                System::nanoTime))
                .hasMessageContaining("not IPV6");
    }

    @Test
    void anIpv6InstanceListsItsLinkLocalAddressFirst() {
        assertThatThrownBy(() -> config("LAN6", 61, 150, 100, "fe80::2", "2001:db8::1", "fe80::1"))
                .hasMessageContaining("link-local");
    }

    static ReceiveCheck fresh(InstanceConfig local) {
        return new ReceiveCheck("lan", local.family(), List.of(local), new ReceiveCounters(), System::nanoTime);
    }

    static InstanceConfig config(String name, int vrid, int priority, int interval, String primary,
            String... addresses) {
        List<InetAddress> list = Stream.of(addresses).map(Fixtures::ip).toList();
        return new InstanceConfig(name, vrid, priority, interval, true, Duration.ZERO, ip(primary), list);
    }
}
