package io.hactl.controller.vrrp;

import java.net.InetAddress;
import java.util.Objects;

/**
 * What the receive checks need from the IP header around a VRRP message: the family, the
 * addresses (for the checksum's pseudo-header and the election's tie-break) and the TTL or
 * hop limit.
 *
 * @param ttl IPv4 TTL or IPv6 hop limit, 0-255
 */
public record IpHeader(IpFamily family, InetAddress source, InetAddress destination, int ttl) {
    public IpHeader {
        Objects.requireNonNull(family, "family");
        if (!family.holds(source) || !family.holds(destination)) {
            throw new IllegalArgumentException("addresses " + source + ", " + destination + " are not " + family);
        }
        if (ttl < 0 || ttl > 255) {
            throw new IllegalArgumentException("ttl " + ttl + " outside 0..255");
        }
    }
}
