package io.hactl.controller.vrrp;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Advertisements as keepalived 2.2.7 sent them (vrrp_version 3, virtual_router_id 61, priority
 * 200, advert_int 1), read with a raw socket in a lab namespace pair: IPv4 from 192.0.2.10 to
 * 224.0.0.18 with TTL 255, IPv6 from a link-local address to ff02::12 with hop limit 255.
 * Their checksums were cross-checked by an independent computation.
 */
final class Fixtures {
    private Fixtures() {}

    static final InetAddress V4_SOURCE = ip("192.0.2.10");
    static final InetAddress V4_GROUP = ip(VrrpConstants.IPV4_GROUP);
    static final InetAddress V6_SOURCE = ip("fe80::80fa:d5ff:fe95:d28c");
    static final InetAddress V6_GROUP = ip(VrrpConstants.IPV6_GROUP);

    /** The IPv4 header around it: 45c0 0020 0001 0000 ff 70 1890 c000020a e0000012. */
    static final IpHeader V4_HEADER = new IpHeader(IpFamily.IPV4, V4_SOURCE, V4_GROUP, 255);
    static final IpHeader V6_HEADER = new IpHeader(IpFamily.IPV6, V6_SOURCE, V6_GROUP, 255);

    /** keepalived 2.2.7, IPv4: its only VRRPv3 checksum, with the pseudo-header. */
    static final byte[] KEEPALIVED_V4 = bytes(
            0x31,                   // version 3, type 1 ADVERTISEMENT
            0x3d,                   // VRID 61
            0xc8,                   // priority 200
            0x01,                   // count IPv4 addresses: 1
            0x00, 0x64,             // reserved 0, Max Adver Int 100 cs
            0x59, 0xb8,             // checksum (RFC 9568: pseudo-header)
            0x0a, 0x0a, 0x00, 0x01  // 10.10.0.1
    );

    /** The same message checksummed without the pseudo-header (v3_checksum_as_v2, keepalived 2.2.8+). */
    static final byte[] KEEPALIVED_V2_SUM_V4 = bytes(
            0x31,                   // version 3, type 1 ADVERTISEMENT
            0x3d,                   // VRID 61
            0xc8,                   // priority 200
            0x01,                   // count IPv4 addresses: 1
            0x00, 0x64,             // reserved 0, Max Adver Int 100 cs
            0xfc, 0x51,             // checksum over the VRRP message only
            0x0a, 0x0a, 0x00, 0x01  // 10.10.0.1
    );

    /** keepalived 2.2.7, IPv6 (the kernel fills the checksum, IPV6_CHECKSUM). */
    static final byte[] KEEPALIVED_V6 = bytes(
            0x31,                   // version 3, type 1 ADVERTISEMENT
            0x3d,                   // VRID 61
            0xc8,                   // priority 200
            0x02,                   // count IPv6 addresses: 2
            0x00, 0x64,             // reserved 0, Max Adver Int 100 cs
            0xb3, 0xd4,             // checksum (pseudo-header)
            0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,      // fe80::1 (link-local first)
            0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01 // 2001:db8::1
    );

    static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
