package io.hactl.controller.vrrp.net;

import static io.hactl.controller.vrrp.net.Bytes.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hactl.sync.netlink.AttrWriter;
import io.hactl.sync.netlink.DecodeException;
import io.hactl.sync.netlink.NlMsg;
import io.hactl.sync.netlink.Rtnetlink;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The rtnetlink messages as the kernel reads them on a little-endian machine (x86-64, arm64). */
class RtnlCodecTest {

    @BeforeAll
    static void littleEndian() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "fixtures are in little-endian host order");
    }

    private static byte[] encode(java.util.function.Consumer<AttrWriter> body) {
        AttrWriter w = new AttrWriter(16);
        body.accept(w);
        return w.toByteArray();
    }

    @Test
    void getLinkAsksForOneInterfaceByName() {
        assertThat(encode(w -> RtnlCodec.getLink(w, 7, "vna0"))).isEqualTo(hex(
                "2c000000",      // nlmsg_len 44
                "1200",          // nlmsg_type RTM_GETLINK
                "0100",          // nlmsg_flags NLM_F_REQUEST
                "07000000",      // nlmsg_seq
                "00000000",      // nlmsg_pid
                "00 00 0000",    // ifi_family AF_UNSPEC, pad, ifi_type
                "00000000",      // ifi_index 0: by name
                "00000000",      // ifi_flags
                "00000000",      // ifi_change
                "0900 0300",     // IFLA_IFNAME, 9 octets
                "766e6130 00",   // "vna0" NUL
                "000000"));      // padding
    }

    @Test
    void newIpv4AddressCarriesLocalAndAddressAndAsksForCreationAndAnAck() throws Exception {
        byte[] m = encode(w -> RtnlCodec.address(w, true, 3, 5, ip("10.77.0.100"), 24));
        assertThat(m).isEqualTo(hex(
                "28000000",      // nlmsg_len 40
                "1400",          // RTM_NEWADDR
                "0506",          // NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL | NLM_F_CREATE
                "03000000",      // seq
                "00000000",      // pid
                "02",            // ifa_family AF_INET
                "18",            // ifa_prefixlen 24
                "00",            // ifa_flags
                "00",            // ifa_scope RT_SCOPE_UNIVERSE
                "05000000",      // ifa_index 5
                "0800 0200",     // IFA_LOCAL
                "0a4d0064",
                "0800 0100",     // IFA_ADDRESS
                "0a4d0064"));
    }

    @Test
    void newIpv6AddressSkipsDuplicateAddressDetection() throws Exception {
        byte[] m = encode(w -> RtnlCodec.address(w, true, 4, 5, ip("2001:db8::100"), 64));
        assertThat(m).isEqualTo(hex(
                "48000000",      // nlmsg_len 72
                "1400",          // RTM_NEWADDR
                "0506",          // NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL | NLM_F_CREATE
                "04000000",
                "00000000",
                "0a",            // AF_INET6
                "40",            // prefix 64
                "02",            // ifa_flags IFA_F_NODAD
                "00",
                "05000000",
                "1400 0200",     // IFA_LOCAL, 16 octets
                "20010db8000000000000000000000100",
                "1400 0100",     // IFA_ADDRESS
                "20010db8000000000000000000000100",
                "0800 0800",     // IFA_FLAGS u32
                "02000000"));    // IFA_F_NODAD
    }

    @Test
    void deleteAddressAsksOnlyForAnAck() throws Exception {
        byte[] m = encode(w -> RtnlCodec.address(w, false, 9, 5, ip("10.77.0.100"), 24));
        assertThat(m).isEqualTo(hex(
                "28000000",
                "1500",          // RTM_DELADDR
                "0500",          // NLM_F_REQUEST | NLM_F_ACK
                "09000000",
                "00000000",
                "02 18 00 00",
                "05000000",
                "0800 0200", "0a4d0064",
                "0800 0100", "0a4d0064"));
    }

    @Test
    void badArgumentsAreRefusedBeforeAnythingIsWritten() {
        AttrWriter w = new AttrWriter(16);
        assertThatThrownBy(() -> RtnlCodec.address(w, true, 1, 5, ip("10.0.0.1"), 33)).hasMessageContaining("0..32");
        assertThatThrownBy(() -> RtnlCodec.address(w, true, 1, 0, ip("10.0.0.1"), 24)).hasMessageContaining("index 0");
        assertThatThrownBy(() -> RtnlCodec.getLink(w, 1, "a-name-of-16-chr")).hasMessageContaining("IFNAMSIZ");
        assertThat(w.size()).isZero();
    }

    /** An RTM_NEWLINK answer: ifinfomsg, an attribute hactl does not know, name, MAC, operstate. */
    private static final byte[] NEWLINK = hex(
            "48000000",          // nlmsg_len 72
            "1000",              // RTM_NEWLINK
            "0000",
            "07000000",
            "00000000",
            "00 00 0100",        // AF_UNSPEC, pad, ARPHRD_ETHER
            "05000000",          // ifi_index 5
            "43100100",          // ifi_flags UP | BROADCAST | RUNNING | MULTICAST | LOWER_UP
            "00000000",
            "0800 0400", "dc050000",           // IFLA_MTU 1500: skipped
            "0900 0300", "766e6130 00 000000", // IFLA_IFNAME "vna0"
            "0a00 0100", "0200 0077 000a 0000", // IFLA_ADDRESS 02:00:00:77:00:0a
            "0500 1000", "06 000000");         // IFLA_OPERSTATE IF_OPER_UP

    @Test
    void decodeLinkReadsIndexFlagsNameMacAndOperState() throws Exception {
        ByteBuffer b = ByteBuffer.wrap(NEWLINK).order(ByteOrder.nativeOrder());
        Link link = RtnlCodec.decodeLink(b, NlMsg.read(b, 0, Rtnetlink.IFINFOMSG_LEN));
        assertThat(link.name()).isEqualTo("vna0");
        assertThat(link.index()).isEqualTo(5);
        assertThat(link.macString()).isEqualTo("02:00:00:77:00:0a");
        assertThat(link.operState()).isEqualTo(Rtnetlink.IF_OPER_UP);
        assertThat(link.up()).isTrue();
    }

    @Test
    void linkWithoutCarrierIsNotUp() throws Exception {
        byte[] noCarrier = NEWLINK.clone();
        noCarrier[24] = 0x03;                 // UP | BROADCAST, RUNNING cleared
        noCarrier[26] = 0x00;                 // LOWER_UP cleared
        ByteBuffer b = ByteBuffer.wrap(noCarrier).order(ByteOrder.nativeOrder());
        assertThat(RtnlCodec.decodeLink(b, NlMsg.read(b, 0, Rtnetlink.IFINFOMSG_LEN)).up()).isFalse();
    }

    @Test
    void decodeLinkNamesWhatIsWrong() throws Exception {
        byte[] badLength = NEWLINK.clone();
        badLength[40] = (byte) 0xff;          // IFLA_IFNAME claims 255 octets
        ByteBuffer b = ByteBuffer.wrap(badLength).order(ByteOrder.nativeOrder());
        assertThatThrownBy(() -> RtnlCodec.decodeLink(b, NlMsg.read(b, 0, Rtnetlink.IFINFOMSG_LEN)))
                .isInstanceOf(DecodeException.class).hasMessageContaining("length 255");

        byte[] unnamed = NEWLINK.clone();
        unnamed[42] = 0x7f;                   // IFLA_IFNAME becomes an unknown type
        ByteBuffer u = ByteBuffer.wrap(unnamed).order(ByteOrder.nativeOrder());
        assertThatThrownBy(() -> RtnlCodec.decodeLink(u, NlMsg.read(u, 0, Rtnetlink.IFINFOMSG_LEN)))
                .isInstanceOf(DecodeException.class).hasMessageContaining("without IFLA_IFNAME");
    }

    @Test
    void getAddressesDumpsOneFamily() {
        assertThat(encode(w -> RtnlCodec.getAddresses(w, 8, 2))).isEqualTo(hex(
                "18000000",      // nlmsg_len 24
                "1600",          // RTM_GETADDR
                "0103",          // NLM_F_REQUEST | NLM_F_DUMP
                "08000000",      // seq
                "00000000",      // pid
                "02 00 00 00",   // ifa_family AF_INET, prefixlen, flags, scope
                "00000000"));    // ifa_index 0: every interface
    }

    /** An IPv6 RTM_NEWADDR of the dump: IFA_ADDRESS only, a cache-info attribute to skip, IFA_FLAGS. */
    private static final byte[] NEWADDR6 = hex(
            "48000000",          // nlmsg_len 72
            "1400",              // RTM_NEWADDR
            "0200",              // NLM_F_MULTI
            "08000000",
            "00000000",
            "0a 40 c0 fd",       // AF_INET6, /64, IFA_F_TENTATIVE | IFA_F_PERMANENT, RT_SCOPE_LINK
            "05000000",          // ifa_index 5
            "1400 0100",         // IFA_ADDRESS, 16 octets
            "fe800000000000000000000000770001",
            "1400 0600",         // IFA_CACHEINFO: skipped
            "ffffffff ffffffff 00000000 00000000",
            "0800 0800", "c0000000"); // IFA_FLAGS

    @Test
    void decodeAddressReadsIndexAddressPrefixScopeAndFlags() throws Exception {
        ByteBuffer b = ByteBuffer.wrap(NEWADDR6).order(ByteOrder.nativeOrder());
        IfAddress a = RtnlCodec.decodeAddress(b, NlMsg.read(b, 0, Rtnetlink.IFADDRMSG_LEN));
        assertThat(a).isEqualTo(new IfAddress(5, ip("fe80::77:1"), 64, 0xc0, Rtnetlink.RT_SCOPE_LINK));
        assertThat(a.tentative()).isTrue();
    }

    @Test
    void decodeAddressPrefersLocalOverThePeerAddress() throws Exception {
        byte[] m = hex(
                "28000000", "1400", "0200", "08000000", "00000000",
                "02 20 80 00",       // AF_INET, /32, IFA_F_PERMANENT, universe
                "03000000",
                "0800 0100", "0a000002",   // IFA_ADDRESS: the point-to-point peer
                "0800 0200", "0a000001");  // IFA_LOCAL: this node's
        ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.nativeOrder());
        IfAddress a = RtnlCodec.decodeAddress(b, NlMsg.read(b, 0, Rtnetlink.IFADDRMSG_LEN));
        assertThat(a.address()).isEqualTo(ip("10.0.0.1"));
        assertThat(a.tentative()).isFalse();
    }

    @Test
    void decodeAddressWithoutAnAddressNamesTheInterface() throws Exception {
        byte[] m = hex("18000000", "1400", "0200", "08000000", "00000000", "02 18 00 00", "07000000");
        ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.nativeOrder());
        assertThatThrownBy(() -> RtnlCodec.decodeAddress(b, NlMsg.read(b, 0, Rtnetlink.IFADDRMSG_LEN)))
                .isInstanceOf(DecodeException.class).hasMessageContaining("interface index 7");
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
