package io.hactl.controller.vrrp;

import java.net.InetAddress;
import java.util.Objects;

/**
 * A virtual address as it goes on the interface: the address and its prefix length (the
 * advertisement carries the address alone, section 5.2.9; rtnetlink needs the prefix).
 *
 * @param address      IPv4 or IPv6
 * @param prefixLength 0-32 for IPv4, 0-128 for IPv6
 */
public record VirtualAddress(InetAddress address, int prefixLength) {
    public VirtualAddress {
        Objects.requireNonNull(address, "address");
        int bits = address.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " outside 0.." + bits);
        }
    }

    /** A host address: /32 or /128. */
    public static VirtualAddress host(InetAddress address) {
        return new VirtualAddress(address, address.getAddress().length * 8);
    }

    public IpFamily family() {
        return IpFamily.of(address);
    }

    /** "10.10.0.1/24", as in the configuration. */
    @Override
    public String toString() {
        return address.getHostAddress() + "/" + prefixLength;
    }
}
