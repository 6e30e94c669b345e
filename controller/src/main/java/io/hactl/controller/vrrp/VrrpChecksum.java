package io.hactl.controller.vrrp;

import java.net.InetAddress;

/**
 * The VRRPv3 checksum (RFC 9568 section 5.2.8): the 16-bit one's complement of the one's
 * complement sum (RFC 1071) of the VRRP message, its checksum field taken as zero, preceded by
 * a pseudo-header of the IP header around it:
 * <ul>
 * <li>IPv6 (RFC 8200 section 8.1): source, destination, upper-layer length (32 bits), three
 *     zero octets, next header 112;</li>
 * <li>IPv4 (as for UDP, RFC 768): source, destination, a zero octet, protocol 112, length
 *     (16 bits).</li>
 * </ul>
 * {@link ChecksumMode#KEEPALIVED_V2} leaves the pseudo-header out for IPv4 only.
 */
public final class VrrpChecksum {
    /** Offset of the checksum field in the VRRP message (section 5.1). */
    static final int FIELD_OFFSET = 6;

    private VrrpChecksum() {}

    /** True when {@code mode} puts a pseudo-header into the sum for {@code family}. */
    public static boolean withPseudoHeader(IpFamily family, ChecksumMode mode) {
        return family == IpFamily.IPV6 || mode == ChecksumMode.RFC;
    }

    /**
     * The checksum of the VRRP message {@code message[offset, offset + length)} sent from
     * {@code source} to {@code destination}, its own checksum field counted as zero.
     */
    public static int compute(byte[] message, int offset, int length, InetAddress source,
            InetAddress destination, IpFamily family, ChecksumMode mode) {
        long sum = 0;
        if (withPseudoHeader(family, mode)) {
            byte[] src = source.getAddress();
            byte[] dst = destination.getAddress();
            if (src.length != family.addressLength() || dst.length != family.addressLength()) {
                throw new IllegalArgumentException("pseudo-header addresses " + source + ", " + destination
                        + " are not " + family);
            }
            sum += sum(src, 0, src.length);
            sum += sum(dst, 0, dst.length);
            // IPv4: zero octet + protocol; IPv6: three zero octets + next header. Both add 112.
            sum += VrrpConstants.IP_PROTOCOL;
            // IPv4 carries the length in 16 bits, IPv6 in 32; below 65536 both add the same.
            sum += length & 0xFFFF;
            sum += length >>> 16;
        }
        sum += sum(message, offset, FIELD_OFFSET);
        sum += sum(message, offset + FIELD_OFFSET + 2, length - FIELD_OFFSET - 2);
        return fold(sum);
    }

    /** The checksum of a whole VRRP message as {@link AdvertCodec#encode} lays it out. */
    public static int compute(byte[] message, InetAddress source, InetAddress destination, IpFamily family,
            ChecksumMode mode) {
        return compute(message, 0, message.length, source, destination, family, mode);
    }

    /** One's complement sum of big-endian 16-bit words; an odd last octet is padded with zero. */
    private static long sum(byte[] b, int offset, int length) {
        long sum = 0;
        int end = offset + length;
        int i = offset;
        for (; i + 1 < end; i += 2) {
            sum += ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
        }
        if (i < end) {
            sum += (b[i] & 0xFF) << 8;
        }
        return sum;
    }

    private static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }
}
