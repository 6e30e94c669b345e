package io.hactl.controller.vrrp.net;

import static io.hactl.controller.vrrp.net.Bytes.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class ArpPacketTest {
    private static final byte[] MAC = hex("02 00 00 77 00 0a");

    /** A gratuitous ARP for 10.77.0.100 from 02:00:00:77:00:0a, as RFC 826 lays it out. */
    private static final byte[] GRATUITOUS = hex(
            "0001",               // ar_hrd: Ethernet
            "0800",               // ar_pro: IPv4
            "06",                 // ar_hln
            "04",                 // ar_pln
            "0001",               // ar_op: request
            "02 00 00 77 00 0a",  // sender MAC
            "0a 4d 00 64",        // sender IP 10.77.0.100
            "00 00 00 00 00 00",  // target MAC: zero
            "0a 4d 00 64");       // target IP 10.77.0.100

    private static Inet4Address vip() throws Exception {
        return (Inet4Address) InetAddress.getByName("10.77.0.100");
    }

    @Test
    void gratuitousArpIsARequestWithTheVirtualAddressAsSenderAndTarget() throws Exception {
        assertThat(ArpPacket.gratuitous(MAC, vip()).encode()).isEqualTo(GRATUITOUS);
    }

    @Test
    void decodeReadsWhatEncodeWrote() throws Exception {
        ArpPacket p = ArpPacket.decode(GRATUITOUS);
        assertThat(p).isEqualTo(ArpPacket.gratuitous(MAC, vip()));
        assertThat(p.operation()).isEqualTo(ArpPacket.REQUEST);
        assertThat(p.senderMac()).isEqualTo(MAC);
        assertThat(ArpPacket.decode(p.encode())).isEqualTo(p);
    }

    @Test
    void decodeAcceptsTheEthernetMinimumPaddingAfterThePacket() throws Exception {
        byte[] padded = new byte[46];
        System.arraycopy(GRATUITOUS, 0, padded, 0, GRATUITOUS.length);
        assertThat(ArpPacket.decode(padded)).isEqualTo(ArpPacket.gratuitous(MAC, vip()));
    }

    @Test
    void decodeRefusesShortOrForeignPacketsNamingWhy() {
        assertThatThrownBy(() -> ArpPacket.decode(new byte[27])).hasMessageContaining("27 octets");
        byte[] ipv6 = GRATUITOUS.clone();
        ipv6[2] = (byte) 0x86;
        ipv6[3] = (byte) 0xdd;
        assertThatThrownBy(() -> ArpPacket.decode(ipv6)).hasMessageContaining("protocol 0x86dd");
        byte[] badOp = GRATUITOUS.clone();
        badOp[7] = 9;
        assertThatThrownBy(() -> ArpPacket.decode(badOp)).hasMessageContaining("operation 9");
    }

    @Test
    void aMacOfAnotherLengthIsRefused() {
        assertThatThrownBy(() -> ArpPacket.gratuitous(new byte[8], vip())).hasMessageContaining("8 octets");
    }
}
