package io.hactl.controller.vrrp;

import static io.hactl.controller.vrrp.Fixtures.ip;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReceiveDispatchTest {
    static final InetAddress OTHER = ip("192.0.2.9");
    static final InetAddress GROUP = ip(VrrpConstants.IPV4_GROUP);
    static final IpHeader V4 = new IpHeader(IpFamily.IPV4, OTHER, GROUP, 255);

    final Parts parts = new Parts();
    final ReceiveDispatch dispatch = new ReceiveDispatch(parts.members, parts.loop::nanoTime);

    static byte[] advert(int vrid, String address) {
        return AdvertCodec.encodeSealed(Advertisement.of(vrid, 250, 10, List.of(ip(address))), OTHER, GROUP,
                ChecksumMode.RFC);
    }

    @Test
    void anAcceptedAdvertisementReachesTheMemberOfItsInterfaceAndVrid() {
        parts.members.forEach(m -> m.vrrp.start());

        dispatch.receive("lan", V4, advert(61, "10.10.0.1"));
        dispatch.receive("wan", V4, advert(62, "10.20.0.1"));
        dispatch.receive("wan", V4, advert(62, "10.20.0.1"));

        assertThat(parts.lan().vrrp.advertsReceived()).isEqualTo(1);
        assertThat(parts.wan().vrrp.advertsReceived()).isEqualTo(2);
        assertThat(parts.lan().vrrp.masterAddress()).isEqualTo(OTHER);
        assertThat(dispatch.unmatchedCount()).isZero();
    }

    @Test
    void dropsAreCountedByReasonOnTheLinkTheyArrivedOn() {
        parts.members.forEach(m -> m.vrrp.start());
        byte[] badSum = advert(62, "10.20.0.1");
        badSum[7] ^= 1;

        dispatch.receive("wan", V4, badSum);
        dispatch.receive("wan", V4, advert(99, "10.20.0.1"));
        dispatch.receive("lan", V4, advert(62, "10.20.0.1"));

        assertThat(dispatch.check(Parts.WAN).counters().drops()).containsEntry(DropReason.BAD_CHECKSUM, 1L)
                .containsEntry(DropReason.UNKNOWN_VRID, 1L);
        assertThat(dispatch.check(Parts.LAN).counters().drops()).containsEntry(DropReason.UNKNOWN_VRID, 1L)
                .containsEntry(DropReason.BAD_CHECKSUM, 0L);
        assertThat(parts.wan().vrrp.advertsReceived()).isZero();
    }

    @Test
    void aDatagramOnAnInterfaceOrFamilyWithoutMembersIsUnmatched() {
        dispatch.receive("dmz", V4, advert(61, "10.10.0.1"));
        dispatch.receive("lan", new IpHeader(IpFamily.IPV6, ip("fe80::9"), ip(VrrpConstants.IPV6_GROUP), 255),
                advert(61, "10.10.0.1"));
        dispatch.unmatched();

        assertThat(dispatch.unmatchedCount()).isEqualTo(3);
        assertThat(dispatch.check(Parts.LAN).counters().drops().values()).containsOnly(0L);
    }
}
