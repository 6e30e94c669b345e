package io.hactl.controller.vrrp;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * The IP version an advertisement travels in. A virtual router is IPv4 or IPv6, never both
 * (RFC 9568 section 1.2): the addresses it lists are of the family of its IP header (5.2.9).
 */
public enum IpFamily {
    IPV4(VrrpConstants.IPV4_ADDRESS_LENGTH),
    IPV6(VrrpConstants.IPV6_ADDRESS_LENGTH);

    private final int addressLength;

    IpFamily(int addressLength) {
        this.addressLength = addressLength;
    }

    /** "IPv4" or "IPv6", as messages to people write it. */
    public String displayName() {
        return this == IPV4 ? "IPv4" : "IPv6";
    }

    /** Octets of one address of this family. */
    public int addressLength() {
        return addressLength;
    }

    /** The family of {@code address}. */
    public static IpFamily of(InetAddress address) {
        if (address instanceof Inet4Address) {
            return IPV4;
        }
        if (address instanceof Inet6Address) {
            return IPV6;
        }
        throw new IllegalArgumentException("not an IPv4 or IPv6 address: " + address);
    }

    /** True when {@code address} is of this family. */
    public boolean holds(InetAddress address) {
        return address.getAddress().length == addressLength;
    }
}
