package io.hactl.controller.vrrp.net;

import static io.hactl.controller.vrrp.net.Bytes.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.controller.vrrp.IpFamily;
import java.net.InetAddress;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** The parts of {@link VrrpSocket} that need no kernel: reading an IPv4 raw datagram, the membership structs. */
class VrrpSocketTest {
    /** What an IPv4 raw socket of protocol 112 hands over: the IP header, then the VRRP message. */
    private static final byte[] IPV4_DATAGRAM = hex(
            "45 c0 0020",        // version 4, IHL 5, DSCP CS6, total length 32
            "0000 4000",         // id, DF
            "ff 70 0000",        // TTL 255, protocol 112, header checksum (not checked)
            "0a4d0001",          // source 10.77.0.1
            "e0000012",          // destination 224.0.0.18
            "31 33 96 01 0064 0000", // VRRP: v3 advert, vrid 51, priority 150, 1 address, 100 cs, checksum
            "0a4d0064");         // 10.77.0.100

    @Test
    void ipv4DatagramGivesTheHeaderFieldsAndTheMessageAfterTheHeader() throws Exception {
        Datagram d = VrrpSocket.parseIpv4(IPV4_DATAGRAM);
        assertThat(d.header().family()).isEqualTo(IpFamily.IPV4);
        assertThat(d.header().source()).isEqualTo(InetAddress.getByName("10.77.0.1"));
        assertThat(d.header().destination()).isEqualTo(InetAddress.getByName("224.0.0.18"));
        assertThat(d.header().ttl()).isEqualTo(255);
        assertThat(d.message()).isEqualTo(hex("31 33 96 01 0064 0000 0a4d0064"));
    }

    @Test
    void ttlIsReadFromTheHeader() {
        byte[] routed = IPV4_DATAGRAM.clone();
        routed[8] = 64;
        assertThat(VrrpSocket.parseIpv4(routed).header().ttl()).isEqualTo(64);
    }

    @Test
    void ipv4OptionsAreSkippedByTheHeaderLength() {
        byte[] withOption = new byte[IPV4_DATAGRAM.length + 4];
        System.arraycopy(IPV4_DATAGRAM, 0, withOption, 0, 20);
        withOption[0] = 0x46;                                      // IHL 6
        System.arraycopy(hex("94040000"), 0, withOption, 20, 4);  // router alert
        System.arraycopy(IPV4_DATAGRAM, 20, withOption, 24, 12);
        assertThat(VrrpSocket.parseIpv4(withOption).message()).isEqualTo(hex("31 33 96 01 0064 0000 0a4d0064"));
    }

    @Test
    void datagramsWithoutAReadableIpv4HeaderAreRefusedNotThrown() {
        assertThat(VrrpSocket.parseIpv4(new byte[19])).isNull();
        byte[] v6 = IPV4_DATAGRAM.clone();
        v6[0] = 0x65;
        assertThat(VrrpSocket.parseIpv4(v6)).isNull();
        byte[] longHeader = IPV4_DATAGRAM.clone();
        longHeader[0] = 0x4f;                                      // 60-octet header in 32 octets
        assertThat(VrrpSocket.parseIpv4(longHeader)).isNull();
        byte[] shortHeader = IPV4_DATAGRAM.clone();
        shortHeader[0] = 0x44;
        assertThat(VrrpSocket.parseIpv4(shortHeader)).isNull();
    }

    @Test
    void membershipStructsCarryGroupAndInterfaceIndex() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN);
        assertThat(VrrpSocket.ipMreqn(InetAddress.getByName("224.0.0.18"), 5))
                .isEqualTo(hex("e0000012", "00000000", "05000000"));
        assertThat(VrrpSocket.ipv6Mreq(InetAddress.getByName("ff02::12"), 5))
                .isEqualTo(hex("ff020000000000000000000000000012", "05000000"));
        assertThat(SockAddr.inet(InetAddress.getByName("fe80::a"), 5))
                .isEqualTo(hex("0a00", "0000", "00000000", "fe80000000000000000000000000000a", "05000000"));
        assertThat(SockAddr.inet(InetAddress.getByName("10.77.0.1"), 5))
                .isEqualTo(hex("0200", "0000", "0a4d0001", "0000000000000000"));
        assertThat(SockAddr.link(5, 0x0806, hex("ffffffffffff")))
                .isEqualTo(hex("1100", "0806", "05000000", "0000", "00", "06", "ffffffffffff 0000"));
    }
}
