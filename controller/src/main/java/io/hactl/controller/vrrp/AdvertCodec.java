package io.hactl.controller.vrrp;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes and decodes the VRRPv3 message (RFC 9568 section 5.1), the part after the IP header:
 * <pre>
 *  0                   1                   2                   3
 * |Version| Type  | Virtual Rtr ID|   Priority    |Count IPvX Addr|
 * |(rsvd) |     Max Adver Int     |          Checksum             |
 * |                       IPvX Address(es)                        |
 * </pre>
 * Stateless. {@link #decode} makes the checks of section 7.1 that need only the packet and
 * never throws on network input: whatever is wrong comes back as a {@link DropReason}. The
 * checks that need the local virtual routers are {@link ReceiveCheck}'s.
 */
public final class AdvertCodec {
    private AdvertCodec() {}

    /** Lays out {@code advert} as it goes on the wire, its checksum field as it is. */
    public static byte[] encode(Advertisement advert) {
        byte[] out = new byte[advert.length()];
        out[0] = (byte) ((advert.version() << 4) | advert.type());
        out[1] = (byte) advert.vrid();
        out[2] = (byte) advert.priority();
        out[3] = (byte) advert.addresses().size();
        // The 4 reserved bits above Max Adver Int are sent as zero (5.2.6).
        out[4] = (byte) ((advert.maxAdverInterval() >>> 8) & 0x0F);
        out[5] = (byte) advert.maxAdverInterval();
        out[6] = (byte) (advert.checksum() >>> 8);
        out[7] = (byte) advert.checksum();
        int at = VrrpConstants.HEADER_LENGTH;
        for (InetAddress a : advert.addresses()) {
            byte[] raw = a.getAddress();
            System.arraycopy(raw, 0, out, at, raw.length);
            at += raw.length;
        }
        return out;
    }

    /**
     * {@code advert} with the checksum it must carry from {@code source} to {@code destination}
     * (the group address, or a unicast peer) under {@code mode}.
     */
    public static Advertisement seal(Advertisement advert, InetAddress source, InetAddress destination,
            ChecksumMode mode) {
        byte[] message = encode(advert);
        return advert.withChecksum(
                VrrpChecksum.compute(message, source, destination, advert.family(), mode));
    }

    /** {@link #seal} then {@link #encode}: the octets to send. */
    public static byte[] encodeSealed(Advertisement advert, InetAddress source, InetAddress destination,
            ChecksumMode mode) {
        return encode(seal(advert, source, destination, mode));
    }

    /** {@link #decode(IpHeader, byte[], int, int)} over the whole array. */
    public static ReceiveVerdict decode(IpHeader header, byte[] message) {
        return decode(header, message, 0, message.length);
    }

    /**
     * Reads the VRRP message {@code message[offset, offset + length)} that arrived in
     * {@code header} and checks it, in this order: complete fixed header, TTL / hop limit 255,
     * version 3, type ADVERTISEMENT, at least one address, length matching the address count,
     * checksum, non-zero Max Adver Int, VRID not 0. For IPv4 a checksum is accepted with or without the
     * pseudo-header (RFC 9568, or keepalived's {@code v3_checksum_as_v2}); the verdict says which.
     * The reserved bits are ignored (5.2.6).
     */
    public static ReceiveVerdict decode(IpHeader header, byte[] message, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > message.length) {
            throw new IndexOutOfBoundsException("offset " + offset + " length " + length
                    + " outside " + message.length + " octets");
        }
        if (length < VrrpConstants.HEADER_LENGTH) {
            return ReceiveVerdict.dropped(DropReason.TOO_SHORT, header);
        }
        int required = header.family() == IpFamily.IPV4 ? VrrpConstants.IPV4_TTL : VrrpConstants.IPV6_HOP_LIMIT;
        if (header.ttl() != required) {
            return ReceiveVerdict.dropped(DropReason.BAD_TTL, header);
        }
        int version = (message[offset] & 0xF0) >>> 4;
        if (version != VrrpConstants.VERSION) {
            return ReceiveVerdict.dropped(DropReason.BAD_VERSION, header);
        }
        int type = message[offset] & 0x0F;
        if (type != VrrpConstants.TYPE_ADVERTISEMENT) {
            return ReceiveVerdict.dropped(DropReason.BAD_TYPE, header);
        }
        int count = message[offset + 3] & 0xFF;
        if (count == 0) {
            return ReceiveVerdict.dropped(DropReason.NO_ADDRESSES, header);
        }
        int addressLength = header.family().addressLength();
        if (length != VrrpConstants.HEADER_LENGTH + count * addressLength) {
            return ReceiveVerdict.dropped(DropReason.LENGTH_MISMATCH, header);
        }
        int carried = ((message[offset + 6] & 0xFF) << 8) | (message[offset + 7] & 0xFF);
        ChecksumMode matched = matchingChecksum(header, message, offset, length, carried);
        if (matched == null) {
            return ReceiveVerdict.dropped(DropReason.BAD_CHECKSUM, header);
        }
        int interval = (((message[offset + 4] & 0xFF) << 8) | (message[offset + 5] & 0xFF))
                & VrrpConstants.MAX_ADVER_INT_MASK;
        if (interval < VrrpConstants.MAX_ADVER_INT_MIN) {
            return ReceiveVerdict.dropped(DropReason.ZERO_INTERVAL, header);
        }
        int vrid = message[offset + 1] & 0xFF;
        if (vrid < VrrpConstants.VRID_MIN) {
            // VRID 0 is not a virtual router (5.2.3), so none here is configured with it.
            return ReceiveVerdict.dropped(DropReason.UNKNOWN_VRID, header);
        }
        List<InetAddress> addresses = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int at = offset + VrrpConstants.HEADER_LENGTH + i * addressLength;
            addresses.add(address(header.family(), message, at));
        }
        Advertisement advert = new Advertisement(version, type, vrid, message[offset + 2] & 0xFF, interval,
                carried, header.family(), addresses);
        return ReceiveVerdict.accepted(advert, header, matched);
    }

    /** The variant {@code carried} is right under, RFC first; null when neither. */
    private static ChecksumMode matchingChecksum(IpHeader header, byte[] message, int offset, int length,
            int carried) {
        if (sum(header, message, offset, length, ChecksumMode.RFC) == carried) {
            return ChecksumMode.RFC;
        }
        // Without a pseudo-header only for IPv4: for IPv6 both modes are the same sum.
        if (header.family() == IpFamily.IPV4
                && sum(header, message, offset, length, ChecksumMode.KEEPALIVED_V2) == carried) {
            return ChecksumMode.KEEPALIVED_V2;
        }
        return null;
    }

    private static int sum(IpHeader header, byte[] message, int offset, int length, ChecksumMode mode) {
        return VrrpChecksum.compute(message, offset, length, header.source(), header.destination(),
                header.family(), mode);
    }

    /** An address from the wire; cannot fail, the octets are of the family's length. */
    private static InetAddress address(IpFamily family, byte[] message, int at) {
        byte[] raw = new byte[family.addressLength()];
        System.arraycopy(message, at, raw, 0, raw.length);
        try {
            // Inet6Address keeps an IPv4-mapped address an IPv6 one, as it was sent.
            return family == IpFamily.IPV4 ? (Inet4Address) InetAddress.getByAddress(raw)
                    : Inet6Address.getByAddress(null, raw, -1);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an address of " + raw.length + " octets was refused", e);
        }
    }
}
