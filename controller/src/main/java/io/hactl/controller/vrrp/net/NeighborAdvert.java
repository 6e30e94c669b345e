package io.hactl.controller.vrrp.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An ICMPv6 Neighbor Advertisement with a Target Link-Layer Address option (RFC 4861 sections
 * 4.4 and 4.6.1), the message after the IPv6 header. Encode and decode side by side.
 *
 * @param router    R flag: the sender is a router
 * @param solicited S flag: an answer to a solicitation (never for an unsolicited one)
 * @param override  O flag: replace what caches hold for {@code target}
 * @param target    the address advertised
 * @param mac       its link-layer address, 6 octets (the option)
 */
public record NeighborAdvert(boolean router, boolean solicited, boolean override, Inet6Address target, byte[] mac) {
    /** Octets of the message: 24 of header and target, 8 of the option. */
    public static final int LENGTH = 32;
    public static final int TYPE = 136;                         // ND_NEIGHBOR_ADVERT (RFC 4861 4.4)
    public static final int FLAG_ROUTER = 0x80;                 // ND_NA_FLAG_ROUTER (first octet of the flags)
    public static final int FLAG_SOLICITED = 0x40;              // ND_NA_FLAG_SOLICITED
    public static final int FLAG_OVERRIDE = 0x20;               // ND_NA_FLAG_OVERRIDE
    public static final int OPTION_TARGET_LINK_ADDRESS = 2;     // ND_OPT_TARGET_LINKADDR (RFC 4861 4.6.1)
    /** Hop limit sent, and required by every receiver (RFC 4861 7.1.2). */
    public static final int HOP_LIMIT = 255;
    private static final int NEXT_HEADER_ICMPV6 = 58;

    public NeighborAdvert {
        Objects.requireNonNull(target, "target");
        if (mac == null || mac.length != 6) {
            throw new IllegalArgumentException("link-layer address of " + (mac == null ? "no" : mac.length)
                    + " octets, expected 6");
        }
        mac = mac.clone();
    }

    /**
     * The unsolicited advertisement a new master sends to all nodes for a virtual address
     * (RFC 4861 7.2.6, RFC 9568 6.4.1): override set, solicited clear.
     */
    public static NeighborAdvert unsolicited(Inet6Address target, byte[] mac, boolean router) {
        return new NeighborAdvert(router, false, true, target, mac);
    }

    /**
     * The message with checksum zero: a raw ICMPv6 socket has the kernel fill in the checksum
     * (RFC 3542 section 3.1), over the source address it picks.
     */
    public byte[] encode() {
        byte[] out = new byte[LENGTH];
        out[0] = (byte) TYPE;                    // icmp6_type
        out[1] = 0;                              // icmp6_code
        // out[2..3] icmp6_cksum
        out[4] = (byte) ((router ? FLAG_ROUTER : 0) | (solicited ? FLAG_SOLICITED : 0) | (override ? FLAG_OVERRIDE : 0));
        // out[5..7] reserved
        System.arraycopy(target.getAddress(), 0, out, 8, 16);
        out[24] = OPTION_TARGET_LINK_ADDRESS;   // nd_opt_type
        out[25] = 1;                             // nd_opt_len, in units of 8 octets
        System.arraycopy(mac, 0, out, 26, 6);
        return out;
    }

    /** The message with its checksum over the pseudo-header of {@code source} and {@code destination} (RFC 4443 2.3). */
    public byte[] encode(InetAddress source, InetAddress destination) {
        byte[] out = encode();
        int sum = checksum(source, destination, out);
        out[2] = (byte) (sum >>> 8);
        out[3] = (byte) sum;
        return out;
    }

    /** The ICMPv6 checksum of {@code message} (its checksum field counted as it is) from source to destination. */
    public static int checksum(InetAddress source, InetAddress destination, byte[] message) {
        long sum = 0;
        sum += words(source.getAddress());
        sum += words(destination.getAddress());
        sum += message.length;                   // upper-layer packet length (32 bits)
        sum += NEXT_HEADER_ICMPV6;               // three zero octets and the next header
        sum += words(message);
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    private static long words(byte[] b) {
        long sum = 0;
        for (int i = 0; i < b.length; i += 2) {
            sum += ((b[i] & 0xFF) << 8) | (i + 1 < b.length ? b[i + 1] & 0xFF : 0);
        }
        return sum;
    }

    /**
     * Reads a Neighbor Advertisement with its Target Link-Layer Address option (other options
     * are skipped); anything else is an IllegalArgumentException naming what is wrong.
     */
    public static NeighborAdvert decode(byte[] in) {
        if (in.length < 24) {
            throw new IllegalArgumentException("neighbor advertisement of " + in.length + " octets, expected at least 24");
        }
        if ((in[0] & 0xFF) != TYPE || in[1] != 0) {
            throw new IllegalArgumentException("ICMPv6 type " + (in[0] & 0xFF) + " code " + in[1]
                    + ", expected a neighbor advertisement (136, 0)");
        }
        Inet6Address target;
        try {
            target = Inet6Address.getByAddress(null, Arrays.copyOfRange(in, 8, 24), -1);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("16 octets refused as an IPv6 address", e);
        }
        for (int at = 24; at + 2 <= in.length; ) {
            int length = (in[at + 1] & 0xFF) * 8;
            if (length == 0 || at + length > in.length) {
                throw new IllegalArgumentException("option type " + (in[at] & 0xFF) + " at " + at + " has length "
                        + length + " in " + in.length + " octets");
            }
            if (in[at] == OPTION_TARGET_LINK_ADDRESS && length >= 8) {
                int flags = in[4] & 0xFF;
                return new NeighborAdvert((flags & FLAG_ROUTER) != 0, (flags & FLAG_SOLICITED) != 0,
                        (flags & FLAG_OVERRIDE) != 0, target, Arrays.copyOfRange(in, at + 2, at + 8));
            }
            at += length;
        }
        throw new IllegalArgumentException("neighbor advertisement for " + target.getHostAddress()
                + " without a target link-layer address option");
    }

    @Override
    public byte[] mac() {
        return mac.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NeighborAdvert n && n.router == router && n.solicited == solicited && n.override == override
                && n.target.equals(target) && Arrays.equals(n.mac, mac);
    }

    @Override
    public int hashCode() {
        return Objects.hash(router, solicited, override, target, Arrays.hashCode(mac));
    }

    @Override
    public String toString() {
        return "NeighborAdvert[" + target.getHostAddress() + " at " + HexFormat.ofDelimiter(":").formatHex(mac)
                + (router ? " R" : "") + (solicited ? " S" : "") + (override ? " O" : "") + "]";
    }
}
