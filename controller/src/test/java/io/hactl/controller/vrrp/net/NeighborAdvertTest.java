package io.hactl.controller.vrrp.net;

import static io.hactl.controller.vrrp.net.Bytes.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class NeighborAdvertTest {
    private static final byte[] MAC = hex("02 00 00 77 00 0a");

    /** An unsolicited NA for 2001:db8::100 at 02:00:00:77:00:0a from a router, checksum left to the kernel. */
    private static final byte[] UNSOLICITED_ROUTER = hex(
            "88",                                        // type 136
            "00",                                        // code
            "0000",                                      // checksum: the kernel's
            "a0 000000",                                 // flags R and O, reserved
            "2001 0db8 0000 0000 0000 0000 0000 0100",   // target
            "02",                                        // option: target link-layer address
            "01",                                        // option length: 8 octets
            "02 00 00 77 00 0a");                        // the MAC

    private static Inet6Address vip() throws Exception {
        return (Inet6Address) InetAddress.getByName("2001:db8::100");
    }

    @Test
    void unsolicitedAdvertHasTheOverrideFlagAndTheTargetLinkLayerOption() throws Exception {
        assertThat(NeighborAdvert.unsolicited(vip(), MAC, true).encode()).isEqualTo(UNSOLICITED_ROUTER);
        byte[] host = NeighborAdvert.unsolicited(vip(), MAC, false).encode();
        assertThat(host[4]).isEqualTo((byte) 0x20);
    }

    @Test
    void checksumOverThePseudoHeaderMatchesAHandComputedValue() throws Exception {
        InetAddress src = InetAddress.getByName("fe80::a");
        InetAddress dst = InetAddress.getByName("ff02::1");
        byte[] sealed = NeighborAdvert.unsolicited(vip(), MAC, true).encode(src, dst);
        // a message that carries its own checksum sums to zero
        assertThat(NeighborAdvert.checksum(src, dst, sealed)).isZero();
        assertThat(((sealed[2] & 0xFF) << 8) | (sealed[3] & 0xFF)).isEqualTo(0xa6da);  // computed independently (Python, RFC 1071)
    }

    @Test
    void decodeReadsWhatEncodeWroteAndSkipsOtherOptions() throws Exception {
        NeighborAdvert na = NeighborAdvert.decode(UNSOLICITED_ROUTER);
        assertThat(na).isEqualTo(new NeighborAdvert(true, false, true, vip(), MAC));
        byte[] withNonce = new byte[UNSOLICITED_ROUTER.length + 8];
        System.arraycopy(UNSOLICITED_ROUTER, 0, withNonce, 0, 24);
        System.arraycopy(hex("0e 01 000000000000"), 0, withNonce, 24, 8);   // a nonce option first
        System.arraycopy(UNSOLICITED_ROUTER, 24, withNonce, 32, 8);
        assertThat(NeighborAdvert.decode(withNonce)).isEqualTo(na);
    }

    @Test
    void decodeRefusesOtherMessagesAndBrokenOptionsNamingWhy() {
        byte[] solicitation = UNSOLICITED_ROUTER.clone();
        solicitation[0] = (byte) 135;
        assertThatThrownBy(() -> NeighborAdvert.decode(solicitation)).hasMessageContaining("type 135");
        byte[] zeroLength = UNSOLICITED_ROUTER.clone();
        zeroLength[25] = 0;
        assertThatThrownBy(() -> NeighborAdvert.decode(zeroLength)).hasMessageContaining("length 0");
        byte[] noOption = java.util.Arrays.copyOf(UNSOLICITED_ROUTER, 24);
        assertThatThrownBy(() -> NeighborAdvert.decode(noOption)).hasMessageContaining("without a target link-layer");
        assertThatThrownBy(() -> NeighborAdvert.decode(new byte[10])).hasMessageContaining("10 octets");
    }
}
