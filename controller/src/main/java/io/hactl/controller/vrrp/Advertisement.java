package io.hactl.controller.vrrp;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * One VRRPv3 ADVERTISEMENT (RFC 9568 section 5.1), as it is on the wire: every field of the
 * message, the checksum included, plus the address family its IP header gave it. Only a well
 * formed version 3 advertisement can be built: {@link AdvertCodec#decode} turns anything else
 * into a {@link DropReason} before a record exists.
 *
 * @param version             4 bits, always {@value VrrpConstants#VERSION} (5.2.1)
 * @param type                4 bits, always {@value VrrpConstants#TYPE_ADVERTISEMENT} (5.2.2)
 * @param vrid                Virtual Router Identifier, 1-255 (5.2.3)
 * @param priority            0-255; 255 owner, 0 the master is stopping (5.2.4)
 * @param maxAdverInterval    centiseconds, 1-4095 (5.2.7; 0 is dropped, erratum 8301)
 * @param checksum            16 bits as carried (5.2.8); see {@link VrrpChecksum}
 * @param family              IPv4 or IPv6, from the IP header
 * @param addresses           the virtual addresses, 1-255 of {@code family}; for IPv6 the first
 *                            is the link-local one (5.2.9)
 */
public record Advertisement(int version, int type, int vrid, int priority, int maxAdverInterval,
        int checksum, IpFamily family, List<InetAddress> addresses) {

    public Advertisement {
        if (version != VrrpConstants.VERSION) {
            throw new IllegalArgumentException("version " + version + ", expected " + VrrpConstants.VERSION);
        }
        if (type != VrrpConstants.TYPE_ADVERTISEMENT) {
            throw new IllegalArgumentException("type " + type + ", expected " + VrrpConstants.TYPE_ADVERTISEMENT);
        }
        if (vrid < VrrpConstants.VRID_MIN || vrid > VrrpConstants.VRID_MAX) {
            throw new IllegalArgumentException("vrid " + vrid + " outside 1..255");
        }
        if (priority < 0 || priority > VrrpConstants.PRIORITY_OWNER) {
            throw new IllegalArgumentException("priority " + priority + " outside 0..255");
        }
        if (maxAdverInterval < VrrpConstants.MAX_ADVER_INT_MIN
                || maxAdverInterval > VrrpConstants.MAX_ADVER_INT_MAX) {
            throw new IllegalArgumentException("max advert interval " + maxAdverInterval
                    + " cs outside 1..4095");
        }
        if (checksum < 0 || checksum > 0xFFFF) {
            throw new IllegalArgumentException("checksum " + checksum + " is not 16 bits");
        }
        Objects.requireNonNull(family, "family");
        addresses = List.copyOf(addresses);
        if (addresses.isEmpty() || addresses.size() > VrrpConstants.MAX_ADDRESSES) {
            throw new IllegalArgumentException(addresses.size() + " addresses, expected 1..255");
        }
        for (InetAddress a : addresses) {
            if (!family.holds(a)) {
                throw new IllegalArgumentException("address " + a.getHostAddress() + " is not " + family);
            }
        }
    }

    /** An advertisement to send; its checksum is 0 until {@link AdvertCodec#seal} fills it. */
    public static Advertisement of(int vrid, int priority, int maxAdverInterval, List<InetAddress> addresses) {
        IpFamily family = addresses.isEmpty() ? IpFamily.IPV4 : IpFamily.of(addresses.get(0));
        return new Advertisement(VrrpConstants.VERSION, VrrpConstants.TYPE_ADVERTISEMENT, vrid, priority,
                maxAdverInterval, 0, family, addresses);
    }

    /** The same advertisement with another checksum. */
    public Advertisement withChecksum(int value) {
        return new Advertisement(version, type, vrid, priority, maxAdverInterval, value, family, addresses);
    }

    /** The same advertisement with another priority (and the checksum left to recompute). */
    public Advertisement withPriority(int value) {
        return new Advertisement(version, type, vrid, value, maxAdverInterval, 0, family, addresses);
    }

    /** Octets of the VRRP message: the fixed header and the address list. */
    public int length() {
        return VrrpConstants.HEADER_LENGTH + addresses.size() * family.addressLength();
    }
}
